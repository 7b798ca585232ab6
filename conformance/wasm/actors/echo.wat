;; echo (WIT-019): replies to every message read with mt "echo" and the same content id.
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_sender" (func $msg_sender (param i32 i32 i32) (result i32)))
  (import "gritwit" "msg_content" (func $msg_content (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "send_object" (func $send_object (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "query_name" (func $query_name (param i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "wut")
  (data (i32.const 32) "content-type\00application/json\00")
  (data (i32.const 64) "mt\00echo\00")
  (data (i32.const 1024) "{\"description\":\"Replies to every message with mt 'echo' and the same content.\",\"messages\":[{\"description\":\"Any message: echoed back to its sender.\",\"mt\":\"*\"}],\"name\":\"echo\",\"queries\":[{\"description\":\"This description, as JSON.\",\"name\":\"wut\"}]}")

  (func (export "step")
    (local $i i32) (local $n i32)
    (local.set $n (call $msg_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (drop (call $msg_sender (local.get $i) (i32.const 2048) (i32.const 64)))
        (drop (call $msg_content (local.get $i) (i32.const 0) (i32.const 0) (i32.const 2112) (i32.const 64)))
        (drop (call $send_object (i32.const 2048) (i32.const 64) (i32.const 64) (i32.const 8)
                                 (i32.const 2112) (i32.const 64) (i32.const 0)))
        (drop (call $mark_read (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "query")
    (if (call $eq (i32.const 2240) (call $query_name (i32.const 2240) (i32.const 64)) (i32.const 16) (i32.const 3))
      (then (drop (call $answer (i32.const 1024) (i32.const 243) (i32.const 32) (i32.const 30))))))

  ;; 1 when the bytes at $a (length $al) equal those at $b (length $bl).
  (func $eq (param $a i32) (param $al i32) (param $b i32) (param $bl i32) (result i32)
    (if (i32.ne (local.get $al) (local.get $bl)) (then (return (i32.const 0))))
    (block $out
      (loop $l
        (br_if $out (i32.eqz (local.get $al)))
        (if (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b)))
          (then (return (i32.const 0))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $al (i32.sub (local.get $al) (i32.const 1)))
        (br $l)))
    (i32.const 1)))
