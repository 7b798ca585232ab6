;; Loops for ever, without host calls: stopped by fuel (fuel-exhausted, WASM-020).
(module
  (memory (export "memory") 1)
  (func (export "step")
    (loop $forever
      (br $forever))))
