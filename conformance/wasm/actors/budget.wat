;; budget (WIT-025): a decimal "budget" entry; mt "spend" with an amount is granted (reply mt
;; "granted", budget reduced) if the amount does not exceed the budget, else refused (mt "refused").
;; The reply holds the amount's canonical decimal; a content that is not a decimal is refused
;; with the empty blob (WIT-025.3). "budget" is written only when its value changed (WIT-025.4).
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
  (data (i32.const 64) "budget")
  (data (i32.const 72) "spend")
  (data (i32.const 80) "mt\00granted\00")
  (data (i32.const 96) "mt\00refused\00")
  (data (i32.const 120) "0")
  (data (i32.const 1024) "{\"description\":\"Grants spends while its decimal 'budget' lasts.\",\"messages\":[{\"description\":\"Content: a decimal amount; replies mt 'granted' or 'refused'.\",\"mt\":\"spend\"}],\"name\":\"budget\",\"queries\":[{\"description\":\"This description, as JSON.\",\"name\":\"wut\"},{\"description\":\"The remaining budget, decimal.\",\"name\":\"budget\"}]}")

  (func (export "step")
    (local $i i32) (local $n i32) (local $p i32) (local $len i32) (local $reply i32)
    (local $budget i64) (local $start i64) (local $amount i64)
    (local.set $budget
      (call $parse (i32.const 8192)
        (call $core_read (i32.const 64) (i32.const 6) (i32.const 8192) (i32.const 57344)) (i64.const -1)))
    (if (i64.lt_s (local.get $budget) (i64.const 0)) (then (local.set $budget (i64.const 0))))
    (local.set $start (local.get $budget))
    (local.set $n (call $msg_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (call $mt_is (local.get $i) (i32.const 72) (i32.const 5))
          (then
            (local.set $amount
              (call $parse (i32.const 8192)
                (call $msg_read (local.get $i) (i32.const 0) (i32.const 0) (i32.const 8192) (i32.const 57344))
                (i64.const -1)))
            (local.set $reply (i32.const 96))
            (if (i32.and (i64.ge_s (local.get $amount) (i64.const 0)) (i64.le_s (local.get $amount) (local.get $budget)))
              (then
                (local.set $budget (i64.sub (local.get $budget) (local.get $amount)))
                (local.set $reply (i32.const 80))))
            (if (i64.lt_s (local.get $amount) (i64.const 0))
              (then (local.set $p (i32.const 112)) (local.set $len (i32.const 0)))
              (else
                (local.set $p (call $fmt (local.get $amount)))
                (local.set $len (i32.sub (i32.const 4128) (local.get $p)))))
            (drop (call $msg_sender (local.get $i) (i32.const 2048) (i32.const 64)))
            (drop (call $send (i32.const 2048) (i32.const 64) (local.get $reply) (i32.const 11)
                              (local.get $p) (local.get $len) (i32.const 0)))))
        (drop (call $mark_read (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (if (i64.ne (local.get $budget) (local.get $start))
      (then
        (local.set $p (call $fmt (local.get $budget)))
        (drop (call $core_set (i32.const 64) (i32.const 6) (local.get $p) (i32.sub (i32.const 4128) (local.get $p))
                              (i32.const 0) (i32.const 0))))))

  (func (export "query")
    (local $n i32)
    (local.set $n (call $query_name (i32.const 2240) (i32.const 64)))
    (if (call $eq (i32.const 2240) (local.get $n) (i32.const 16) (i32.const 3))
      (then (drop (call $answer (i32.const 1024) (i32.const 322) (i32.const 32) (i32.const 30))) (return)))
    (if (call $eq (i32.const 2240) (local.get $n) (i32.const 64) (i32.const 6))
      (then
        (if (i32.ne (call $answer_core (i32.const 64) (i32.const 6)) (i32.const 0))
          (then (drop (call $answer (i32.const 120) (i32.const 1) (i32.const 0) (i32.const 0))))))))

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
