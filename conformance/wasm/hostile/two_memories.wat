;; Two memories: outside ABI 1's feature set, so it does not validate (invalid-module, WASM-003).
(module
  (memory (export "memory") 1)
  (memory $second 1)
  (func (export "step")))
