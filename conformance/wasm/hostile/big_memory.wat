;; Declares a memory of 257 pages, one more than ABI 1 allows: memory-limit (WASM-017).
(module
  (memory (export "memory") 257)
  (func (export "step")))
