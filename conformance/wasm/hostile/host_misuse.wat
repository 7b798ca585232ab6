;; Hands the host a buffer that ends past its memory: the host call traps (WASM-007).
(module
  (import "gritwit" "core_read" (func $core_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "wit")
  (func (export "step")
    (drop (call $core_read (i32.const 0) (i32.const 3) (i32.const 65000) (i32.const 1000)))))
