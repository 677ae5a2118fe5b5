import Foundation
import Testing
@testable import Torch

@Suite("Runtime threads")
struct RuntimeThreadsTests {
    @Test func usableCoresAreWithinTheMachine() {
        #expect(Runtime.usableCores >= 1)
        #expect(Runtime.usableCores <= ProcessInfo.processInfo.processorCount)
    }

    @Test func ompNumThreadsDecidesWhenItIsAPositiveInteger() {
        #expect(Runtime.defaultThreads(environment: ["OMP_NUM_THREADS": "3"]) == 3)
        #expect(Runtime.defaultThreads(environment: ["OMP_NUM_THREADS": " 1 "]) == 1)
        #expect(Runtime.defaultThreads(environment: [:]) == Runtime.usableCores)
    }

    @Test func otherValuesFallBackToTheUsableCores() {
        for text in ["0", "-2", "two", ""] {
            #expect(Runtime.defaultThreads(environment: ["OMP_NUM_THREADS": text]) == Runtime.usableCores)
        }
    }
}
