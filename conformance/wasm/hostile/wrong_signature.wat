;; Imports an ABI name with the wrong type: not an ABI 1 import (forbidden-import, WASM-002).
(module
  (import "gritwit" "msg_count" (func $msg_count (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "step")))
