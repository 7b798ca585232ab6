;; requester (WIT-026): for each mt "ask" whose content is a tree with "to" (a blob holding a
;; text-form actor id) and "question", queues mt "question" with the question to that actor; for
;; each mt "echo", stores its content id as the core entry "answer".
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_header" (func $msg_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_content" (func $msg_content (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_read" (func $msg_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "core_link" (func $core_link (param i32 i32 i32 i32) (result i32)))
  (import "gritwit" "send_object" (func $send_object (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "query_name" (func $query_name (param i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (import "gritwit" "answer_core" (func $answer_core (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "mt")
  (data (i32.const 16) "wut")
  (data (i32.const 32) "content-type\00application/json\00")
  (data (i32.const 64) "ask")
  (data (i32.const 68) "echo")
  (data (i32.const 72) "to")
  (data (i32.const 80) "question")
  (data (i32.const 96) "mt\00question\00")
  (data (i32.const 112) "answer")
  (data (i32.const 1024) "{\"description\":\"Asks questions of other actors and keeps the echoed answer.\",\"messages\":[{\"description\":\"Content: a tree with 'to' (text-form actor id) and 'question'.\",\"mt\":\"ask\"},{\"description\":\"Stores the content id as core entry 'answer'.\",\"mt\":\"echo\"}],\"name\":\"requester\",\"queries\":[{\"description\":\"This description, as JSON.\",\"name\":\"wut\"},{\"description\":\"The last answer blob (empty if none).\",\"name\":\"answer\"}]}")

  (func (export "step")
    (local $i i32) (local $n i32) (local $to i32) (local $q i32)
    (local.set $n (call $msg_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (call $mt_is (local.get $i) (i32.const 64) (i32.const 3))
          (then
            (local.set $to (call $msg_read (local.get $i) (i32.const 72) (i32.const 2) (i32.const 8192) (i32.const 64)))
            (local.set $q (call $msg_content (local.get $i) (i32.const 80) (i32.const 8) (i32.const 2112) (i32.const 64)))
            (if (i32.and (i32.ge_s (local.get $to) (i32.const 0)) (i32.eq (local.get $q) (i32.const 64)))
              (then (drop (call $send_object (i32.const 8192) (local.get $to) (i32.const 96) (i32.const 12)
                                             (i32.const 2112) (i32.const 64) (i32.const 0))))))
          (else
            (if (call $mt_is (local.get $i) (i32.const 68) (i32.const 4))
              (then
                (drop (call $msg_content (local.get $i) (i32.const 0) (i32.const 0) (i32.const 2112) (i32.const 64)))
                (drop (call $core_link (i32.const 112) (i32.const 6) (i32.const 2112) (i32.const 64)))))))
        (drop (call $mark_read (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "query")
    (local $n i32)
    (local.set $n (call $query_name (i32.const 2240) (i32.const 64)))
    (if (call $eq (i32.const 2240) (local.get $n) (i32.const 16) (i32.const 3))
      (then (drop (call $answer (i32.const 1024) (i32.const 419) (i32.const 32) (i32.const 30))) (return)))
    (if (call $eq (i32.const 2240) (local.get $n) (i32.const 112) (i32.const 6))
      (then
        (if (i32.ne (call $answer_core (i32.const 112) (i32.const 6)) (i32.const 0))
          (then (drop (call $answer (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))))))

  ;; 1 when message $i's mt header equals the $l bytes at $p.
  (func $mt_is (param $i i32) (param $p i32) (param $l i32) (result i32)
    (call $eq (i32.const 2176)
      (call $msg_header (local.get $i) (i32.const 0) (i32.const 2) (i32.const 2176) (i32.const 64))
      (local.get $p) (local.get $l)))

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
