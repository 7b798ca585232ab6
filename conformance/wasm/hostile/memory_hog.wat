;; Grows its memory a page at a time until memory.grow fails (WASM-017), then writes
;; just past the end of what it got: a trap (WASM-015).
(module
  (memory (export "memory") 1)
  (func (export "step")
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (i32.store (i32.mul (memory.size) (i32.const 65536)) (i32.const 1))))
