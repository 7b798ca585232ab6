;; Loops for ever on a host call: host calls cost fuel too (WASM-019), so fuel stops it.
(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (memory (export "memory") 1)
  (func (export "step")
    (loop $forever
      (drop (call $msg_count))
      (br $forever))))
