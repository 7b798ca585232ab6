;; Writes a core entry and sends a message, then reaches `unreachable`: the step fails
;; with `trap` (WASM-015) and none of its effects survive (WASM-021).
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_sender" (func $msg_sender (param i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "send" (func $send (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "junk")
  (data (i32.const 16) "mt\00junk\00")
  (func (export "step")
    (drop (call $core_set (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 4) (i32.const 0) (i32.const 0)))
    (if (call $msg_count)
      (then
        (drop (call $msg_sender (i32.const 0) (i32.const 64) (i32.const 64)))
        (drop (call $send (i32.const 64) (i32.const 64) (i32.const 16) (i32.const 8)
                          (i32.const 0) (i32.const 4) (i32.const 0)))
        (drop (call $mark_read (i32.const 0)))))
    unreachable))
