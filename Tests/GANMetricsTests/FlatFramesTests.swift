import Foundation
import GANMetrics
import Testing
import Torch

@Suite("Flat frames: generated images with almost no contrast")
struct FlatFramesTests {
    @Test("Contrast is each image's pixel standard deviation; the threshold is numpy's linear percentile")
    func arithmetic() {
        // Image 0: half 0, half 200 → sd 100; image 1: all 7 → sd 0.
        let pixels = Tensor([0, 0, 200, 200, 7, 7, 7, 7] as [Float], shape: [2, 1, 2, 2])
        #expect(FlatFrames.contrast(pixels) == [100, 0])
        // numpy.percentile([4, 1, 3, 2, 10], 10) = 1.4; 50 → 3.
        #expect(Swift.abs(MemorisationAudit.percentile([4, 1, 3, 2, 10], 10) - 1.4) < 1e-12)
        #expect(MemorisationAudit.percentile([4, 1, 3, 2, 10], 50) == 3)
        #expect(FlatFrames.share([0.5, 2, 3, 0.1], below: 1) == 0.5)
        #expect(MemorisationAudit.percentile([], 1).isNaN && FlatFrames.share([], below: 1).isNaN)
    }

    @Test("Blank frames are counted; frames like the reals are flat about as often as the percentile says")
    func blankFramesAreCounted() {
        let random = Generator(seed: 5)
        let reals = FlatFrames.contrast(Tensor.rand([400, 1, 16, 16], generator: random) * 255)
        let threshold = MemorisationAudit.percentile(reals, 1)
        let textured = FlatFrames.contrast(Tensor.rand([400, 1, 16, 16], generator: random) * 255)
        let blank = FlatFrames.contrast(Tensor.full([10, 1, 16, 16], 40) + Tensor.rand([10, 1, 16, 16], generator: random) * 4)
        #expect(FlatFrames.share(blank, below: threshold) == 1)
        let texturedShare = FlatFrames.share(textured, below: threshold)
        #expect(texturedShare < 0.03, "\(texturedShare) of frames drawn like the reals are flat; about 0.01 expected")
        #expect(FlatFrames.share(textured + blank, below: threshold) == (texturedShare * 400 + 10) / 410)
    }
}
