;; counter (WIT-020): a decimal count in the core entry "count" (initially 0);
;; mt "inc" adds the decimal in the content (1 when empty) unless the count would exceed
;; 18 digits, mt "get" replies mt "count"; "count" is written when an inc was added or
;; when it was absent or not a blob (WIT-020.4).
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_sender" (func $msg_sender (param i32 i32 i32) (result i32)))
  (import "gritwit" "msg_header" (func $msg_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_read" (func $msg_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "core_read" (func $core_read (param i32 i32 i32 i32) (result i32)))
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "send" (func $send (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "query_name" (func $query_name (param i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (import "gritwit" "answer_core" (func $answer_core (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "mt")
  (data (i32.const 16) "wut")
  (data (i32.const 32) "content-type\00application/json\00")
  (data (i32.const 80) "count")
  (data (i32.const 96) "inc")
  (data (i32.const 100) "get")
  (data (i32.const 104) "0")
  (data (i32.const 112) "mt\00count\00")
  (data (i32.const 1024) "{\"description\":\"Keeps a decimal count in its core entry 'count'.\",\"messages\":[{\"description\":\"Adds the decimal integer in the content (1 when empty).\",\"mt\":\"inc\"},{\"description\":\"Replies mt 'count' with the current count.\",\"mt\":\"get\"}],\"name\":\"counter\",\"queries\":[{\"description\":\"This description, as JSON.\",\"name\":\"wut\"},{\"description\":\"The current count, decimal.\",\"name\":\"count\"}]}")

  (func (export "step")
    (local $i i32) (local $n i32) (local $len i32) (local $p i32) (local $changed i32)
    (local $count i64) (local $amount i64)
    (local.set $len (call $core_read (i32.const 80) (i32.const 5) (i32.const 8192) (i32.const 57344)))
    (if (i32.eq (local.get $len) (i32.const -1))
      (then (local.set $changed (i32.const 1)))
      (else
        (local.set $count (call $parse (i32.const 8192) (local.get $len) (i64.const -1)))
        (if (i64.lt_s (local.get $count) (i64.const 0)) (then (local.set $count (i64.const 0))))))
    (local.set $n (call $msg_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (call $mt_is (local.get $i) (i32.const 96) (i32.const 3))
          (then
            (local.set $amount
              (call $parse (i32.const 8192)
                (call $msg_read (local.get $i) (i32.const 0) (i32.const 0) (i32.const 8192) (i32.const 57344))
                (i64.const 1)))
            ;; a decimal amount whose sum stays within 18 digits (WIT-020.2)
            (if (i32.and (i64.ge_s (local.get $amount) (i64.const 0))
                         (i64.le_s (i64.add (local.get $count) (local.get $amount))
                                   (i64.const 999999999999999999)))
              (then
                (local.set $count (i64.add (local.get $count) (local.get $amount)))
                (local.set $changed (i32.const 1)))))
          (else
            (if (call $mt_is (local.get $i) (i32.const 100) (i32.const 3))
              (then
                (drop (call $msg_sender (local.get $i) (i32.const 2048) (i32.const 64)))
                (local.set $p (call $fmt (local.get $count)))
                (drop (call $send (i32.const 2048) (i32.const 64) (i32.const 112) (i32.const 9)
                                  (local.get $p) (i32.sub (i32.const 4128) (local.get $p)) (i32.const 0)))))))
        (drop (call $mark_read (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (local.get $changed)
      (then
        (local.set $p (call $fmt (local.get $count)))
        (drop (call $core_set (i32.const 80) (i32.const 5) (local.get $p) (i32.sub (i32.const 4128) (local.get $p))
                              (i32.const 0) (i32.const 0))))))

  (func (export "query")
    (local $n i32)
    (local.set $n (call $query_name (i32.const 2240) (i32.const 64)))
    (if (call $eq (i32.const 2240) (local.get $n) (i32.const 16) (i32.const 3))
      (then (drop (call $answer (i32.const 1024) (i32.const 384) (i32.const 32) (i32.const 30))) (return)))
    (if (call $eq (i32.const 2240) (local.get $n) (i32.const 80) (i32.const 5))
      (then
        (if (i32.ne (call $answer_core (i32.const 80) (i32.const 5)) (i32.const 0))
          (then (drop (call $answer (i32.const 104) (i32.const 1) (i32.const 0) (i32.const 0))))))))

  ;; 1 when message $i's mt header equals the $l bytes at $p.
  (func $mt_is (param $i i32) (param $p i32) (param $l i32) (result i32)
    (call $eq (i32.const 2176)
      (call $msg_header (local.get $i) (i32.const 0) (i32.const 2) (i32.const 2176) (i32.const 64))
      (local.get $p) (local.get $l)))

  ;; The decimal number in the $len bytes at $p; $default when empty; -1 when not a number.
  (func $parse (param $p i32) (param $len i32) (param $default i64) (result i64)
    (local $acc i64) (local $c i32)
    (if (i32.lt_s (local.get $len) (i32.const 0)) (then (return (i64.const -1))))
    (if (i32.eqz (local.get $len)) (then (return (local.get $default))))
    (if (i32.gt_s (local.get $len) (i32.const 18)) (then (return (i64.const -1))))
    (block $out
      (loop $l
        (br_if $out (i32.eqz (local.get $len)))
        (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
        (if (i32.gt_u (local.get $c) (i32.const 9)) (then (return (i64.const -1))))
        (local.set $acc (i64.add (i64.mul (local.get $acc) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $l)))
    (local.get $acc))

  ;; Writes $v in decimal so that it ends at 4128; returns where it starts.
  (func $fmt (param $v i64) (result i32)
    (local $p i32)
    (local.set $p (i32.const 4128))
    (loop $l
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i64.store8 (local.get $p) (i64.add (i64.rem_u (local.get $v) (i64.const 10)) (i64.const 48)))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $l (i64.ne (local.get $v) (i64.const 0))))
    (local.get $p))

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
