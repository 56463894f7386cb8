import Testing
@testable import TouchpointDemo

@Suite("Demo data set")
struct DemoDataSetTests {}
