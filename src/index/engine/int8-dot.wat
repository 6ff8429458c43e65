;; Dot products of int8 vectors with WebAssembly SIMD (128-bit), for the vector graph
;; (hnsw-graph.ts, through int8-vectors.ts). Assembled into int8-dot.wasm.ts by
;; `npm run build:wasm`; test/unit/engine/int8-vectors.test.ts checks that the two agree.
;;
;; Vectors are stored in blocks of 16 int8 components (zero-padded). A query is stored as int16,
;; so that it keeps 15 bits of precision instead of 7. Each block is widened to int16 and
;; multiplied pairwise with i32x4.dot_i16x8_s, whose sums of two products cannot overflow here
;; (|int8 x int16| < 2^22). The caller bounds the query's components so that the whole sum fits in
;; an int32; below that bound, wrapping additions give the exact sum.
(module
  (import "env" "memory" (memory 1))

  ;; Sum over $blocks blocks of (int16 query at $query) x (int8 vector at $vector).
  (func (export "dotQuery") (param $query i32) (param $vector i32) (param $blocks i32) (result i32)
    (local $sum v128)
    (local $codes v128)
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $blocks)))
        (local.set $codes (v128.load (local.get $vector)))
        (local.set $sum
          (i32x4.add (local.get $sum)
            (i32x4.dot_i16x8_s
              (v128.load (local.get $query))
              (i16x8.extend_low_i8x16_s (local.get $codes)))))
        (local.set $sum
          (i32x4.add (local.get $sum)
            (i32x4.dot_i16x8_s
              (v128.load offset=16 (local.get $query))
              (i16x8.extend_high_i8x16_s (local.get $codes)))))
        (local.set $query (i32.add (local.get $query) (i32.const 32)))
        (local.set $vector (i32.add (local.get $vector) (i32.const 16)))
        (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
        (br $block)))
    (call $lanes (local.get $sum)))

  ;; Sum over $blocks blocks of (int8 vector at $a) x (int8 vector at $b).
  (func (export "dotVectors") (param $a i32) (param $b i32) (param $blocks i32) (result i32)
    (local $sum v128)
    (local $left v128)
    (local $right v128)
    (block $done
      (loop $block
        (br_if $done (i32.eqz (local.get $blocks)))
        (local.set $left (v128.load (local.get $a)))
        (local.set $right (v128.load (local.get $b)))
        (local.set $sum
          (i32x4.add (local.get $sum)
            (i32x4.dot_i16x8_s
              (i16x8.extend_low_i8x16_s (local.get $left))
              (i16x8.extend_low_i8x16_s (local.get $right)))))
        (local.set $sum
          (i32x4.add (local.get $sum)
            (i32x4.dot_i16x8_s
              (i16x8.extend_high_i8x16_s (local.get $left))
              (i16x8.extend_high_i8x16_s (local.get $right)))))
        (local.set $a (i32.add (local.get $a) (i32.const 16)))
        (local.set $b (i32.add (local.get $b) (i32.const 16)))
        (local.set $blocks (i32.sub (local.get $blocks) (i32.const 1)))
        (br $block)))
    (call $lanes (local.get $sum)))

  (func $lanes (param $sum v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $sum)) (i32x4.extract_lane 1 (local.get $sum)))
      (i32.add (i32x4.extract_lane 2 (local.get $sum)) (i32x4.extract_lane 3 (local.get $sum)))))
)
