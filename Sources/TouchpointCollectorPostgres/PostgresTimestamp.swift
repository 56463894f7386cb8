import Foundation
import NIOCore
import PostgresNIO

/// A `timestamptz` value rounded to the microsecond both ways.
///
/// PostgresNIO's own `Date` coding truncates, so a millisecond date such as `…​.123` may come back as
/// `…​.122999`; this rounds, so a date written and read back compares equal (as it does with SQLite).
struct PostgresTimestamp: PostgresNonThrowingEncodable, PostgresArrayEncodable, PostgresDecodable, Sendable {
    /// The date.
    var date: Date

    init(_ date: Date) {
        self.date = date
    }

    /// Microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
    private static let epochOffset: Int64 = 946_684_800 * 1_000_000

    static var psqlType: PostgresDataType { .timestamptz }
    static var psqlFormat: PostgresFormat { .binary }
    static var psqlArrayType: PostgresDataType { .timestamptzArray }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded()) - Self.epochOffset
        byteBuffer.writeInteger(micros)
    }

    init<JSONDecoder: PostgresJSONDecoder>(
        from buffer: inout ByteBuffer, type: PostgresDataType, format: PostgresFormat, context: PostgresDecodingContext<JSONDecoder>
    ) throws {
        guard type == .timestamptz || type == .timestamp, format == .binary, buffer.readableBytes == 8,
            let micros = buffer.readInteger(as: Int64.self)
        else {
            throw PostgresDecodingError.Code.typeMismatch
        }
        // Integer microseconds since 1970 divided once: the nearest Double to the stored instant.
        date = Date(timeIntervalSince1970: Double(micros + Self.epochOffset) / 1_000_000)
    }
}
