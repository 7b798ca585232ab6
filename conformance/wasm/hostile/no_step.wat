;; Exports no `step` function: invalid-module (WASM-004).
(module
  (memory (export "memory") 1))
