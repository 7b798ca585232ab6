;; fanout (WIT-021): for each mt "fanout" whose content is a tree of name -> blob holding a
;; text-form actor id, queues mt "fanned" with the same content id to every such actor.
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_header" (func $msg_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_content" (func $msg_content (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_read" (func $msg_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_entry" (func $msg_entry (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "send_object" (func $send_object (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "query_name" (func $query_name (param i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "mt")
  (data (i32.const 16) "wut")
  (data (i32.const 32) "content-type\00application/json\00")
  (data (i32.const 64) "fanout")
  (data (i32.const 80) "mt\00fanned\00")
  (data (i32.const 1024) "{\"description\":\"Forwards a tree of actor ids to each of them as mt 'fanned'.\",\"messages\":[{\"description\":\"Content: a tree of name -> blob holding a text-form actor id.\",\"mt\":\"fanout\"}],\"name\":\"fanout\",\"queries\":[{\"description\":\"This description, as JSON.\",\"name\":\"wut\"}]}")

  (func (export "step")
    (local $i i32) (local $n i32) (local $k i32) (local $len i32) (local $to i32)
    (local.set $n (call $msg_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (call $mt_is (local.get $i) (i32.const 64) (i32.const 6))
          (then
            (drop (call $msg_content (local.get $i) (i32.const 0) (i32.const 0) (i32.const 2112) (i32.const 64)))
            (local.set $k (i32.const 0))
            (block $entries
              (loop $entry
                (local.set $len (call $msg_entry (local.get $i) (i32.const 0) (i32.const 0) (local.get $k)
                                                 (i32.const 2304) (i32.const 256)))
                (br_if $entries (i32.lt_s (local.get $len) (i32.const 0)))
                (local.set $to (call $msg_read (local.get $i) (i32.const 2304) (local.get $len)
                                               (i32.const 8192) (i32.const 64)))
                ;; an entry that is no blob is skipped; send_object refuses a malformed id (-2)
                (if (i32.ge_s (local.get $to) (i32.const 0))
                  (then (drop (call $send_object (i32.const 8192) (local.get $to) (i32.const 80) (i32.const 10)
                                                 (i32.const 2112) (i32.const 64) (i32.const 0)))))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $entry)))))
        (drop (call $mark_read (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next))))

  (func (export "query")
    (if (call $eq (i32.const 2240) (call $query_name (i32.const 2240) (i32.const 64)) (i32.const 16) (i32.const 3))
      (then (drop (call $answer (i32.const 1024) (i32.const 271) (i32.const 32) (i32.const 30))))))

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
