;; slow (WIT-027): its transition never returns; fuel (WASM-020) aborts it.
(module
  (import "gritwit" "query_name" (func $query_name (param i32 i32) (result i32)))
  (import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "mt")
  (data (i32.const 16) "wut")
  (data (i32.const 32) "content-type\00application/json\00")
  (data (i32.const 1024) "{\"description\":\"Its transition never ends; the runtime must bound it.\",\"messages\":[],\"name\":\"slow\",\"queries\":[{\"description\":\"This description, as JSON.\",\"name\":\"wut\"}]}")

  (func (export "step")
    (loop $forever
      (br $forever)))

  (func (export "query")
    (if (call $eq (i32.const 2240) (call $query_name (i32.const 2240) (i32.const 64)) (i32.const 16) (i32.const 3))
      (then (drop (call $answer (i32.const 1024) (i32.const 169) (i32.const 32) (i32.const 30))))))

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
