import Foundation

typealias Vec2 = SIMD2<Float>

/// A rotation, uniform scale, optional mirror and shift: maps the hand frame (mm, y towards the
/// fingers) to canvas pixels (y down).
struct Similarity: Sendable {
    /// The hand frame → canvas map of a pose.
    init(_ pose: HandPose) {
        self.init(rotation: pose.rotation, scale: pose.pixelsPerMM, origin: .zero, canvasPoint: pose.origin)
    }

    var linear: (Vec2, Vec2)  // columns
    var offset: Vec2
    var scale: Float

    /// Rotates by `angle` (radians, counter-clockwise in the hand frame), scales, flips y for the canvas
    /// and puts `origin` of the hand frame at `canvasPoint`.
    init(rotation angle: Float, scale: Float, origin: Vec2, canvasPoint: Vec2) {
        let c = cos(angle) * scale, s = sin(angle) * scale
        linear = (Vec2(c, -s), Vec2(-s, -c))
        self.scale = scale
        offset = .zero
        offset = canvasPoint - vector(origin)
    }

    func vector(_ v: Vec2) -> Vec2 { linear.0 * v.x + linear.1 * v.y }
    func point(_ p: Vec2) -> Vec2 { vector(p) + offset }
    func direction(_ v: Vec2) -> Vec2 { let w = vector(v); return w / (w * w).sum().squareRoot() }
}

/// An axis-aligned pixel rectangle [x0, x1) × [y0, y1), clipped to a canvas.
struct ClipRect {
    var x0, y0, x1, y1: Int

    init(minX: Float, minY: Float, maxX: Float, maxY: Float, width: Int, height: Int) {
        x0 = max(0, Int((minX - 1).rounded(.down)))
        y0 = max(0, Int((minY - 1).rounded(.down)))
        x1 = min(width, Int((maxX + 1).rounded(.up)))
        y1 = min(height, Int((maxY + 1).rounded(.up)))
    }

    var isEmpty: Bool { x1 <= x0 || y1 <= y0 }
}

/// The pixel columns of row `y` whose centres may lie within `radius` of the segment a–b (the
/// row's chord through the capsule), clipped to `box`.
@inline(__always) func capsuleColumns(_ a: Vec2, _ b: Vec2, radius: Float, row y: Int, box: ClipRect) -> Range<Int> {
    let py = Float(y) + 0.5
    var low = Float.greatestFiniteMagnitude, high = -Float.greatestFiniteMagnitude
    for c in [a, b] {
        let dy = py - c.y
        if abs(dy) <= radius {
            let h = (radius * radius - dy * dy).squareRoot()
            low = min(low, c.x - h); high = max(high, c.x + h)
        }
    }
    let axis = b - a
    let length = (axis * axis).sum().squareRoot()
    if length > 1e-6 {
        let n = Vec2(-axis.y, axis.x) * (radius / length)
        let corners = [a + n, b + n, b - n, a - n]
        for i in 0..<4 {
            let p = corners[i], q = corners[(i + 1) % 4]
            if (p.y - py) * (q.y - py) <= 0, p.y != q.y {
                let x = p.x + (py - p.y) / (q.y - p.y) * (q.x - p.x)
                low = min(low, x); high = max(high, x)
            }
        }
    }
    guard low <= high else { return box.x0..<box.x0 }
    let first = max(box.x0, Int((low - 0.5).rounded(.down)))
    let last = min(box.x1, Int((high + 0.5).rounded(.up)))
    return first < last ? first..<last : box.x0..<box.x0
}

/// Projected thickness of a disc of radius `r` at distance `d` from its centre: 2√(r² − d²).
@inline(__always) func chord(_ r: Float, _ d: Float) -> Float {
    let q = r * r - d * d
    return q > 0 ? 2 * q.squareRoot() : 0
}

/// 1 − smoothstep: 1 at 0, 0 from 1 on.
@inline(__always) func falloff(_ x: Float) -> Float {
    if x >= 1 { return 0 }
    if x <= 0 { return 1 }
    return 1 - x * x * (3 - 2 * x)
}

/// A tubular bone (metacarpal, phalanx, radius, ulna shaft): a hollow cylinder whose radius flares
/// towards each end, with a rounded or flat end at `a` and `b`. Its x-ray contribution is the
/// projected thickness of cortex plus a fraction `medulla` of the marrow cavity.
struct BoneShaft: Sendable {
    var a: Vec2, b: Vec2
    var radiusA: Float, radiusShaft: Float, radiusB: Float
    /// Lengths over which the radius goes from the shaft's to the end's.
    var flareA: Float, flareB: Float
    var roundA: Bool, roundB: Bool
    /// Cortical thickness (same units as the radii).
    var cortex: Float
    /// Density of the marrow cavity relative to cortex (0 = hollow, 1 = solid).
    var medulla: Float
    /// Density per unit of projected length.
    var density: Float

    func transformed(by t: Similarity) -> BoneShaft {
        var s = self
        s.a = t.point(a); s.b = t.point(b)
        s.radiusA *= t.scale; s.radiusShaft *= t.scale; s.radiusB *= t.scale
        s.flareA *= t.scale; s.flareB *= t.scale; s.cortex *= t.scale
        s.density /= t.scale
        return s
    }

    func box(width: Int, height: Int) -> ClipRect {
        let r = max(radiusA, radiusB, radiusShaft)
        return ClipRect(minX: min(a.x, b.x) - r, minY: min(a.y, b.y) - r, maxX: max(a.x, b.x) + r,
                        maxY: max(a.y, b.y) + r, width: width, height: height)
    }

    /// Adds this bone's projected density to `buffer`.
    func splat(into buffer: UnsafeMutableBufferPointer<Float>, width: Int, height: Int) {
        let box = box(width: width, height: height)
        if box.isEmpty { return }
        let axis = b - a
        let length = (axis * axis).sum().squareRoot()
        guard length > 1e-4 else { return }
        let dir = axis / length
        let invFlareA = 1 / max(flareA, 1e-3), invFlareB = 1 / max(flareB, 1e-3)
        let marrow = 1 - medulla
        let reach = max(radiusA, radiusB, radiusShaft)
        for y in box.y0..<box.y1 {
            let py = Float(y) + 0.5 - a.y
            let row = y * width
            for x in capsuleColumns(a, b, radius: reach, row: y, box: box) {
                let px = Float(x) + 0.5 - a.x
                let along = px * dir.x + py * dir.y
                let across = abs(px * dir.y - py * dir.x)
                var radius: Float, distance: Float, coverage: Float = 1, endness: Float
                if along < 0 {
                    radius = radiusA
                    endness = 1
                    if roundA { distance = (along * along + across * across).squareRoot() } else {
                        distance = across
                        coverage = max(0, 1 + 2 * along)
                    }
                } else if along > length {
                    radius = radiusB
                    endness = 1
                    let beyond = along - length
                    if roundB { distance = (beyond * beyond + across * across).squareRoot() } else {
                        distance = across
                        coverage = max(0, 1 - 2 * beyond)
                    }
                } else {
                    let endA = falloff(along * invFlareA), endB = falloff((length - along) * invFlareB)
                    radius = radiusShaft + (radiusA - radiusShaft) * endA + (radiusB - radiusShaft) * endB
                    endness = max(endA, endB)
                    distance = across
                }
                if distance >= radius || coverage <= 0 { continue }
                let inner = radius - cortex * (1 - 0.6 * endness)
                let hollow = marrow * (1 - 0.45 * endness)
                let thickness = chord(radius, distance) - hollow * chord(inner, distance)
                buffer[row + x] += density * coverage * thickness
            }
        }
    }
}

/// A compact bone (carpal, epiphysis, sesamoid, styloid): a superellipsoid seen from above.
/// `exponent` 2 is an ellipse; larger values give the squarer outline of mature carpals.
struct BoneBlob: Sendable {
    var centre: Vec2
    /// Unit axes of the outline (semi-axes `semiX`, `semiY` along them).
    var axisX: Vec2, axisY: Vec2
    var semiX: Float, semiY: Float
    /// Projected thickness through the centre.
    var depth: Float
    var exponent: Float
    /// Cortical shell as a fraction of the semi-axes.
    var cortex: Float
    var medulla: Float
    var density: Float

    init(centre: Vec2, rotation degrees: Float, semiX: Float, semiY: Float, depth: Float, exponent: Float = 2,
         cortex: Float = 0.18, medulla: Float = 0.65, density: Float = 1) {
        let angle = degrees * .pi / 180
        self.centre = centre
        axisX = Vec2(cos(angle), sin(angle))
        axisY = Vec2(-sin(angle), cos(angle))
        self.semiX = semiX; self.semiY = semiY; self.depth = depth
        self.exponent = exponent; self.cortex = cortex; self.medulla = medulla; self.density = density
    }

    func transformed(by t: Similarity) -> BoneBlob {
        var s = self
        s.centre = t.point(centre)
        s.axisX = t.direction(axisX); s.axisY = t.direction(axisY)
        s.semiX *= t.scale; s.semiY *= t.scale; s.depth *= t.scale
        s.density /= t.scale
        return s
    }

    func box(width: Int, height: Int) -> ClipRect {
        let ex = abs(axisX.x) * semiX + abs(axisY.x) * semiY
        let ey = abs(axisX.y) * semiX + abs(axisY.y) * semiY
        return ClipRect(minX: centre.x - ex, minY: centre.y - ey, maxX: centre.x + ex, maxY: centre.y + ey,
                        width: width, height: height)
    }

    func splat(into buffer: UnsafeMutableBufferPointer<Float>, width: Int, height: Int) {
        guard semiX > 1e-4, semiY > 1e-4 else { return }
        let box = box(width: width, height: height)
        if box.isEmpty { return }
        let ux = axisX / semiX, uy = axisY / semiY
        let innerScale = 1 / ((1 - cortex) * (1 - cortex))
        let marrow = 1 - medulla
        let square = exponent == 2
        let halfExponent = exponent / 2, inverse = 2 / exponent
        for y in box.y0..<box.y1 {
            let py = Float(y) + 0.5 - centre.y
            let row = y * width
            for x in box.x0..<box.x1 {
                let px = Float(x) + 0.5 - centre.x
                let lx = px * ux.x + py * ux.y, ly = px * uy.x + py * uy.y
                var q = lx * lx + ly * ly
                if q >= (square ? 1 : 2) { continue }
                if !square {
                    let sx = lx * lx, sy = ly * ly
                    q = pow(pow(sx, halfExponent) + pow(sy, halfExponent), inverse)
                }
                if q >= 1 { continue }
                let outer = (1 - q).squareRoot()
                let qi = q * innerScale
                let inner = qi < 1 ? (1 - cortex) * (1 - qi).squareRoot() : 0
                buffer[row + x] += density * depth * (outer - marrow * inner)
            }
        }
    }
}

/// Soft tissue of a finger, thumb, thenar pad or forearm: a capsule with a radius that may taper.
/// Soft tissue is combined with a maximum (one envelope), not summed.
struct SoftCapsule: Sendable {
    var a: Vec2, b: Vec2
    var radiusA: Float, radiusB: Float
    /// Tissue thickness through the axis relative to the width (a finger is about as thick as it is wide).
    var flatness: Float

    func transformed(by t: Similarity) -> SoftCapsule {
        SoftCapsule(a: t.point(a), b: t.point(b), radiusA: radiusA * t.scale, radiusB: radiusB * t.scale,
                    flatness: flatness)
    }

    func splat(into buffer: UnsafeMutableBufferPointer<Float>, width: Int, height: Int, mmPerPixel: Float) {
        let r = max(radiusA, radiusB)
        let box = ClipRect(minX: min(a.x, b.x) - r, minY: min(a.y, b.y) - r, maxX: max(a.x, b.x) + r,
                           maxY: max(a.y, b.y) + r, width: width, height: height)
        if box.isEmpty { return }
        let axis = b - a
        let lengthSquared = max((axis * axis).sum(), 1e-6)
        let weight = flatness * mmPerPixel
        for y in box.y0..<box.y1 {
            let py = Float(y) + 0.5 - a.y
            let row = y * width
            for x in capsuleColumns(a, b, radius: r, row: y, box: box) {
                let px = Float(x) + 0.5 - a.x
                let t = min(1, max(0, (px * axis.x + py * axis.y) / lengthSquared))
                let dx = px - t * axis.x, dy = py - t * axis.y
                let radius = radiusA + (radiusB - radiusA) * t
                let depth = radius - (dx * dx + dy * dy).squareRoot()
                if depth <= 0 { continue }
                // A flattened oval cross-section: thickness rises over the outer 55% of the radius.
                let z = min(1, depth / (0.55 * radius))
                let value = weight * 2 * radius * (z * (2 - z)).squareRoot()
                if value > buffer[row + x] { buffer[row + x] = value }
            }
        }
    }
}

/// The palm: a convex polygon whose thickness rises from its edge over `rolloff` to `thickness`.
struct SoftPolygon: Sendable {
    /// Counter-clockwise in the hand frame.
    var vertices: [Vec2]
    var thickness: Float
    var rolloff: Float

    func transformed(by t: Similarity) -> SoftPolygon {
        SoftPolygon(vertices: vertices.map(t.point), thickness: thickness, rolloff: rolloff * t.scale)
    }

    func splat(into buffer: UnsafeMutableBufferPointer<Float>, width: Int, height: Int) {
        guard vertices.count >= 3 else { return }
        let xs = vertices.map(\.x), ys = vertices.map(\.y)
        let box = ClipRect(minX: xs.min()!, minY: ys.min()!, maxX: xs.max()!, maxY: ys.max()!, width: width, height: height)
        if box.isEmpty { return }
        // Inward unit normals; the canvas flips y, so orientation is read from the signed area.
        var area: Float = 0
        for i in vertices.indices {
            let p = vertices[i], q = vertices[(i + 1) % vertices.count]
            area += p.x * q.y - q.x * p.y
        }
        let sign: Float = area > 0 ? 1 : -1
        let edges: [(Vec2, Vec2)] = vertices.indices.map { i in
            let p = vertices[i], q = vertices[(i + 1) % vertices.count]
            let d = q - p
            let n = Vec2(-d.y, d.x) * sign / max((d * d).sum().squareRoot(), 1e-6)
            return (p, n)
        }
        let invRolloff = 1 / max(rolloff, 1e-3)
        for y in box.y0..<box.y1 {
            let py = Float(y) + 0.5
            let row = y * width
            for x in box.x0..<box.x1 {
                let px = Float(x) + 0.5
                var inside = Float.greatestFiniteMagnitude
                for (p, n) in edges {
                    inside = min(inside, (px - p.x) * n.x + (py - p.y) * n.y)
                    if inside <= 0 { break }
                }
                if inside <= 0 { continue }
                let z = min(1, inside * invRolloff)
                let value = thickness * (z * (2 - z)).squareRoot()
                if value > buffer[row + x] { buffer[row + x] = value }
            }
        }
    }
}
