import RunKit
