import Foundation

/// The demo data set's generator (see `touchpoint demo`).
public enum DemoDataSet {}
