;; image_counter (WASM-023 … WASM-029): an image actor. Its state is plain Wasm state —
;; the exported mutable globals "count" (i64) and "length" (i32) and a data region in
;; linear memory from 65536 on —, kept across steps by the host's image; it never
;; reads or writes its core. Give it a core entry "image" = the empty blob.
;;   mt "append": writes the content blob at data + length; length += its size; count += 1
;;   mt "poke", header "at" (decimal): writes the content blob at data + at; count += 1
;;   other messages, a poke without a decimal "at", content that is not a blob: read, no change
;; Memory grows as a write needs; a write beyond the memory limit traps.
;; Queries: "count" and "starts" (decimal), "buffer" (the data region's first "length"
;; bytes), "bump" (adds 1 to count and answers it: a query's changes are discarded).
;; "starts" counts the calls in which the start function had run in the instance: it
;; runs only on the first step, before an image exists (WASM-025), so it stays 1.
;; Page 0 holds constants, the "starts" counter at 512 and scratch at 1024 … 2047, which
;; every step clears: a step changes page 0 only on the first step.
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "msg_header" (func $msg_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "msg_read" (func $msg_read (param i32 i32 i32 i32 i32) (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "query_name" (func $query_name (param i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $count (export "count") (mut i64) (i64.const 0))
  (global $length (export "length") (mut i32) (i32.const 0))
  (global $started (mut i32) (i32.const 0))
  (data (i32.const 0) "mt")
  (data (i32.const 8) "at")
  (data (i32.const 16) "append")
  (data (i32.const 32) "poke")
  (data (i32.const 48) "count")
  (data (i32.const 64) "buffer")
  (data (i32.const 80) "bump")
  (data (i32.const 96) "starts")

  (start $start)
  (func $start (global.set $started (i32.const 1)))

  (func (export "step")
    (local $i i32) (local $n i32) (local $len i32) (local $at i64)
    (i64.store (i32.const 512) (i64.add (i64.load (i32.const 512)) (i64.extend_i32_u (global.get $started))))
    (local.set $n (call $msg_count))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (call $mt_is (local.get $i) (i32.const 16) (i32.const 6))
          (then
            (local.set $len (call $write (local.get $i) (i64.extend_i32_u (global.get $length))))
            (if (i32.ge_s (local.get $len) (i32.const 0))
              (then (global.set $length (i32.add (global.get $length) (local.get $len)))))))
        (if (call $mt_is (local.get $i) (i32.const 32) (i32.const 4))
          (then
            (local.set $at
              (call $parse (i32.const 1088)
                (call $msg_header (local.get $i) (i32.const 8) (i32.const 2) (i32.const 1088) (i32.const 32))))
            (if (i64.ge_s (local.get $at) (i64.const 0))
              (then (drop (call $write (local.get $i) (local.get $at)))))))
        (drop (call $mark_read (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (memory.fill (i32.const 1024) (i32.const 0) (i32.const 1024)))

  ;; Writes message $i's content blob at 65536 + $off, growing memory to hold it; count += 1.
  ;; Returns its size; -1 (and no change) when the content is not a blob. Traps beyond the
  ;; memory limit.
  (func $write (param $i i32) (param $off i64) (result i32)
    (local $len i32) (local $end i64) (local $pages i64)
    (local.set $len (call $msg_read (local.get $i) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (if (i32.lt_s (local.get $len) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $end (i64.add (i64.add (i64.const 65536) (local.get $off)) (i64.extend_i32_u (local.get $len))))
    (local.set $pages (i64.shr_u (i64.add (local.get $end) (i64.const 65535)) (i64.const 16)))
    (if (i64.gt_u (local.get $pages) (i64.const 65536)) (then unreachable))
    (if (i64.gt_u (local.get $pages) (i64.extend_i32_u (memory.size)))
      (then
        (if (i32.eq (memory.grow (i32.sub (i32.wrap_i64 (local.get $pages)) (memory.size))) (i32.const -1))
          (then unreachable))))
    (drop (call $msg_read (local.get $i) (i32.const 0) (i32.const 0)
                (i32.wrap_i64 (i64.add (i64.const 65536) (local.get $off))) (local.get $len)))
    (global.set $count (i64.add (global.get $count) (i64.const 1)))
    (local.get $len))

  (func (export "query")
    (local $n i32) (local $p i32)
    (local.set $n (call $query_name (i32.const 1024) (i32.const 64)))
    (if (call $eq (i32.const 1024) (local.get $n) (i32.const 64) (i32.const 6))
      (then (drop (call $answer (i32.const 65536) (global.get $length) (i32.const 0) (i32.const 0))) (return)))
    (if (call $eq (i32.const 1024) (local.get $n) (i32.const 80) (i32.const 4))
      (then (global.set $count (i64.add (global.get $count) (i64.const 1)))))
    (if (i32.or (call $eq (i32.const 1024) (local.get $n) (i32.const 48) (i32.const 5))
                (call $eq (i32.const 1024) (local.get $n) (i32.const 80) (i32.const 4)))
      (then
        (local.set $p (call $fmt (global.get $count)))
        (drop (call $answer (local.get $p) (i32.sub (i32.const 2048) (local.get $p)) (i32.const 0) (i32.const 0)))
        (return)))
    (if (call $eq (i32.const 1024) (local.get $n) (i32.const 96) (i32.const 6))
      (then
        (local.set $p (call $fmt (i64.load (i32.const 512))))
        (drop (call $answer (local.get $p) (i32.sub (i32.const 2048) (local.get $p)) (i32.const 0) (i32.const 0))))))

  ;; 1 when message $i's mt header equals the $l bytes at $p.
  (func $mt_is (param $i i32) (param $p i32) (param $l i32) (result i32)
    (call $eq (i32.const 1152)
      (call $msg_header (local.get $i) (i32.const 0) (i32.const 2) (i32.const 1152) (i32.const 64))
      (local.get $p) (local.get $l)))

  ;; The decimal number in the $len bytes at $p; -1 when empty, absent or not a number.
  (func $parse (param $p i32) (param $len i32) (result i64)
    (local $acc i64) (local $c i32)
    (if (i32.le_s (local.get $len) (i32.const 0)) (then (return (i64.const -1))))
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

  ;; Writes $v in decimal so that it ends at 2048; returns where it starts.
  (func $fmt (param $v i64) (result i32)
    (local $p i32)
    (local.set $p (i32.const 2048))
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
