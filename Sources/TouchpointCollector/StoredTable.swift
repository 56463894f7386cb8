/// One value of a stored row, as both storages can carry it: the four storage classes of SQLite.
public enum StoredValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A whole number (also a boolean as 0/1, or a date as seconds since 1970).
    case integer(Int64)
    /// A floating-point number (also a date as seconds since 1970).
    case real(Double)
    /// Text (also a date as `YYYY-MM-DD HH:MM:SS.SSS`, UTC).
    case text(String)
}

/// What a column holds, so a storage can turn a ``StoredValue`` into its own column type.
public enum StoredColumnKind: Sendable, Hashable {
    /// Text.
    case text
    /// A whole number.
    case integer
    /// A floating-point number.
    case real
    /// A boolean (0/1 in SQLite).
    case boolean
    /// An instant (a date text or seconds since 1970 in SQLite, `timestamptz` in PostgreSQL).
    case timestamp
}

/// One column of a ``StoredTable``: its name and what it holds.
public struct StoredColumn: Sendable, Hashable {
    /// The column's name in both schemas.
    public var name: String
    /// What the column holds.
    public var kind: StoredColumnKind

    /// Creates a column description.
    public init(_ name: String, _ kind: StoredColumnKind) {
        self.name = name
        self.kind = kind
    }
}

/// A table of the collector's database that moves between storages (``StoredRowSource``), described once for
/// both: its name, its columns in a fixed order, and the columns its rows are read in order of.
///
/// Backend-specific bookkeeping is not part of it: `responses.seq` is the response's position in arrival order
/// (SQLite's rowid), and `feed_cursor.last_seq` is the last position the feed has fanned out.
public struct StoredTable: Sendable, Hashable {
    /// The table's name.
    public var name: String
    /// The columns, in the order of each row's values.
    public var columns: [StoredColumn]
    /// The table's primary key, which orders and pages its rows where a storage keeps no arrival order.
    public var orderedBy: [String]

    /// Creates a table description.
    public init(_ name: String, _ columns: [StoredColumn], orderedBy: [String]) {
        self.name = name
        self.columns = columns
        self.orderedBy = orderedBy
    }

    /// Every table a collector's database holds, parents before children (kiosks before their keys, keys
    /// before responses, responses before answers).
    public static let all: [StoredTable] = [
        StoredTable("kiosks", [
            .init("id", .text), .init("site", .text), .init("token_hash", .text), .init("created_at", .timestamp),
            .init("last_seen_at", .timestamp), .init("response_count", .integer), .init("highest_sequence", .integer),
            .init("health_pending", .integer), .init("health_rejected", .integer),
            .init("health_oldest_pending_at", .text), .init("health_last_sequence", .integer),
            .init("health_reported_at", .timestamp), .init("health_config_version", .text),
            .init("health_config_problem", .text), .init("health_defaults", .text), .init("config_touchpoint", .text),
            .init("config_version", .text), .init("config_fetched_at", .timestamp),
        ], orderedBy: ["id"]),
        StoredTable("kiosk_keys", [
            .init("kid", .text), .init("kiosk", .text), .init("jwk", .text), .init("enrolled_at", .timestamp),
            .init("revoked_at", .timestamp),
        ], orderedBy: ["kid"]),
        StoredTable("responses", [
            .init("seq", .integer), .init("id", .text), .init("kiosk", .text), .init("sequence", .integer),
            .init("kid", .text), .init("survey_id", .text), .init("survey_version", .integer),
            .init("survey_digest", .text), .init("site", .text), .init("touchpoint", .text), .init("stage", .text),
            .init("language", .text), .init("started_at", .timestamp), .init("completed_at", .timestamp),
            .init("status", .text), .init("suspect", .boolean), .init("mode", .text), .init("account", .text),
            .init("app_version", .text), .init("content_hash", .text), .init("jws", .text),
            .init("received_at", .timestamp), .init("account_sealed", .text), .init("personal_data", .text),
        ], orderedBy: ["id"]),
        StoredTable("answers", [
            .init("response_id", .text), .init("position", .integer), .init("question", .text), .init("type", .text),
            .init("number_value", .integer), .init("text_value", .text),
        ], orderedBy: ["response_id", "position"]),
        StoredTable("report_tallies", [
            .init("type", .text), .init("day", .text), .init("site", .text), .init("touchpoint", .text),
            .init("stage", .text), .init("survey", .text), .init("question", .text), .init("language", .text),
            .init("points", .integer), .init("suspect", .boolean), .init("partial", .boolean), .init("n", .integer),
            .init("total", .integer), .init("top", .integer), .init("middle", .integer), .init("bottom", .integer),
        ], orderedBy: ["type", "day", "site", "touchpoint", "stage", "survey", "question", "language", "points", "suspect", "partial"]),
        StoredTable("report_scales", [
            .init("survey", .text), .init("version", .integer), .init("question", .text), .init("points", .integer),
        ], orderedBy: ["survey", "version", "question"]),
        StoredTable("accounts", [
            .init("id", .text), .init("name", .text), .init("mrr", .real), .init("arr", .real), .init("owner", .text),
            .init("interactions", .integer), .init("last_interaction_at", .timestamp), .init("created_at", .timestamp),
            .init("updated_at", .timestamp),
        ], orderedBy: ["id"]),
        StoredTable("account_health", [
            .init("account", .text), .init("computed_at", .timestamp), .init("zone", .text), .init("score", .real),
        ], orderedBy: ["account", "computed_at"]),
        StoredTable("account_response_counts", [
            .init("account", .text), .init("day", .text), .init("responses", .integer), .init("last_at", .timestamp),
        ], orderedBy: ["account", "day"]),
        StoredTable("account_answer_counts", [
            .init("account", .text), .init("day", .text), .init("type", .text), .init("survey_id", .text),
            .init("survey_version", .integer), .init("question", .text), .init("value", .integer), .init("n", .integer),
        ], orderedBy: ["account", "day", "type", "survey_id", "survey_version", "question", "value"]),
        StoredTable("published_surveys", [
            .init("survey_id", .text), .init("version", .integer), .init("digest", .text), .init("source", .text),
            .init("published_at", .timestamp), .init("published_by", .text),
        ], orderedBy: ["survey_id", "version"]),
        StoredTable("survey_assignments", [
            .init("survey_id", .text), .init("site", .text), .init("touchpoint", .text), .init("kiosk", .text),
            .init("version", .integer), .init("assigned_at", .timestamp), .init("assigned_by", .text),
        ], orderedBy: ["survey_id", "site", "touchpoint", "kiosk"]),
        StoredTable("site_settings", [
            .init("site", .text), .init("settings", .text), .init("updated_at", .timestamp), .init("updated_by", .text),
        ], orderedBy: ["site"]),
        StoredTable("feed_cursor", [
            .init("id", .integer), .init("last_seq", .integer), .init("started_at", .timestamp),
            .init("updated_at", .timestamp),
        ], orderedBy: ["id"]),
        StoredTable("feed_outbox", [
            .init("id", .integer), .init("webhook", .text), .init("response_id", .text), .init("event", .text),
            .init("body", .text), .init("state", .text), .init("attempts", .integer),
            .init("next_attempt_at", .timestamp), .init("last_error", .text), .init("created_at", .timestamp),
            .init("delivered_at", .timestamp),
        ], orderedBy: ["id"]),
        StoredTable("fleet_alerts", [
            .init("id", .text), .init("kiosk", .text), .init("site", .text), .init("kind", .text),
            .init("subject", .text), .init("detail", .text), .init("raised_at", .timestamp),
            .init("cleared_at", .timestamp),
        ], orderedBy: ["id"]),
        StoredTable("cases", [
            .init("id", .text), .init("opened_at", .timestamp), .init("completed_at", .timestamp), .init("site", .text),
            .init("kiosk", .text), .init("touchpoint", .text), .init("stage", .text), .init("survey_id", .text),
            .init("language", .text), .init("account", .text), .init("cause", .text), .init("owner", .text),
            .init("due_at", .timestamp), .init("status", .text), .init("first_contact_at", .timestamp),
            .init("closed_at", .timestamp), .init("resolution", .text), .init("overdue_notified_at", .timestamp),
            .init("updated_at", .timestamp),
        ], orderedBy: ["id"]),
        StoredTable("case_events", [
            .init("case_id", .text), .init("position", .integer), .init("at", .timestamp), .init("actor", .text),
            .init("action", .text), .init("detail", .text),
        ], orderedBy: ["case_id", "position"]),
        StoredTable("erasures", [
            .init("id", .integer), .init("at", .timestamp), .init("actor", .text), .init("kind", .text),
            .init("target_digest", .text), .init("responses", .integer), .init("comments", .integer),
            .init("account_references", .integer), .init("cases", .integer), .init("posts", .integer),
            .init("accounts", .integer),
        ], orderedBy: ["id"]),
        StoredTable("erased_responses", [
            .init("kiosk", .text), .init("sequence", .integer), .init("erased_at", .timestamp),
        ], orderedBy: ["kiosk", "sequence"]),
        StoredTable("retention_horizons", [
            .init("kind", .text), .init("before", .timestamp), .init("pruned_at", .timestamp),
        ], orderedBy: ["kind"]),
        StoredTable("pruned_sequences", [
            .init("kiosk", .text), .init("through", .integer),
        ], orderedBy: ["kiosk"]),
        StoredTable("users", [
            .init("name", .text), .init("password_hash", .text), .init("role", .text), .init("created_at", .timestamp),
            .init("last_login_at", .timestamp),
        ], orderedBy: ["name"]),
        StoredTable("api_tokens", [
            .init("name", .text), .init("token_hash", .text), .init("role", .text), .init("created_at", .timestamp),
            .init("last_used_at", .timestamp), .init("revoked_at", .timestamp),
        ], orderedBy: ["name"]),
        StoredTable("sessions", [
            .init("id_hash", .text), .init("user_name", .text), .init("value", .text), .init("expires_at", .timestamp),
        ], orderedBy: ["id_hash"]),
        StoredTable("audit_log", [
            .init("id", .integer), .init("at", .timestamp), .init("actor", .text), .init("action", .text),
            .init("target", .text), .init("count", .integer), .init("remote", .text),
        ], orderedBy: ["id"]),
    ]
}

/// Where a collector's stored rows can be read from, table by table, a page at a time (the source of
/// `collector migrate`).
public protocol StoredRowSource: Sendable {
    /// Calls `body` with the rows of `table` at most `pageSize` at a time, each row's values in
    /// ``StoredTable/columns`` order: in arrival order where the storage keeps one (responses by `seq`, keys
    /// in enrolment order), otherwise in ``StoredTable/orderedBy`` order.
    func forEachPage(of table: StoredTable, pageSize: Int, _ body: ([[StoredValue]]) async throws -> Void) async throws

    /// The number of rows in `table`.
    func rowCount(of table: StoredTable) async throws -> Int
}
