;; Writes 60000-byte blobs to its core in a loop, past ABI 1's 1 MiB of output per step:
;; output-too-large (WASM-018).
(module
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "junk")
  (func (export "step")
    (loop $again
      (drop (call $core_set (i32.const 0) (i32.const 4) (i32.const 1024) (i32.const 60000)
                            (i32.const 0) (i32.const 0)))
      (br $again))))
