;; Grows its memory until memory.grow fails (WASM-017) and records in the core entry
;; "pages" how many pages it then has, as one byte per decimal digit.
(module
  (import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "pages")
  (func (export "step")
    (local $v i32) (local $p i32)
    (block $full
      (loop $more
        (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
        (br $more)))
    (local.set $v (memory.size))
    (local.set $p (i32.const 64))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.rem_u (local.get $v) (i32.const 10)) (i32.const 48)))
      (local.set $v (i32.div_u (local.get $v) (i32.const 10)))
      (br_if $digit (local.get $v)))
    (drop (call $core_set (i32.const 0) (i32.const 5) (local.get $p) (i32.sub (i32.const 64) (local.get $p))
                          (i32.const 0) (i32.const 0)))))
