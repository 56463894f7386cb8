import Foundation
import TouchpointCollector
import TouchpointCore

/// A demo customer account (the CRM side): what `accounts.csv` lists and responses refer to.
public struct DemoAccount: Sendable, Hashable {
    /// The account id used as the response's account reference, e.g. `ACC-1001`.
    public var id: String
    /// The company name.
    public var name: String
    /// Monthly recurring revenue in SEK.
    public var mrr: Int
    /// The account owner.
    public var owner: String
    /// Meaningful interactions recorded in the CRM.
    public var interactions: Int
    /// How the account's people feel, roughly −1 to +1; shifts their scores.
    public var mood: Double
    /// Relative number of responses from the account.
    public var activity: Double
    /// The account gave no responses in this many most recent months (0: active until now).
    public var silentMonths: Int

    /// Days between the account's last CRM interaction and now.
    public var lastInteractionDaysAgo: Int {
        silentMonths > 0 ? silentMonths * 30 + 12 : 2 + (interactions * 7) % 38
    }

    /// Creates an account.
    public init(id: String, name: String, mrr: Int, owner: String, interactions: Int, mood: Double, activity: Double,
                silentMonths: Int) {
        self.id = id
        self.name = name
        self.mrr = mrr
        self.owner = owner
        self.interactions = interactions
        self.mood = mood
        self.activity = activity
        self.silentMonths = silentMonths
    }

    /// The demo's 25 accounts: fleets, rental firms and small businesses, from happy to at risk.
    public static let all: [DemoAccount] = [
        ("Nordvik Logistik AB", 84_000, "anna.lind", 34, 0.5, 3.0, 0),
        ("Bergström Bygg AB", 42_500, "erik.holm", 21, -0.7, 2.2, 0),
        ("Stadsbud Taxi Stockholm", 61_000, "anna.lind", 18, -0.2, 2.8, 0),
        ("Hisingens Hyrbilar", 38_000, "sara.nyberg", 27, 0.6, 2.0, 0),
        ("Lindqvist Elektriska", 12_400, "erik.holm", 9, 0.3, 1.0, 0),
        ("Öresund Catering AB", 9_800, "maja.ek", 6, -0.8, 1.1, 0),
        ("Sjöberg Fastighetsservice", 27_300, "sara.nyberg", 14, 0.1, 1.4, 0),
        ("Uppsala Hemtjänst", 55_000, "johan.berg", 4, -1.1, 2.0, 0),
        ("Mälardalens Kyl & Värme", 18_900, "johan.berg", 16, 0.4, 1.2, 0),
        ("Kvarnholmen Arkitekter", 6_200, "maja.ek", 4, 0.7, 0.6, 0),
        ("Göta Kanal Turism", 14_700, "sara.nyberg", 3, -0.3, 0.7, 5),
        ("Aurora Städ AB", 21_600, "anna.lind", 12, 0.2, 1.3, 0),
        ("Vättern Transport", 73_500, "erik.holm", 2, -0.9, 1.6, 2),
        ("Skånska Trädgårdar", 4_900, "maja.ek", 2, 0.0, 0.5, 7),
        ("Linköpings Läkarhus", 31_200, "johan.berg", 19, 0.8, 1.5, 0),
        ("Norrtull Blommor", 3_100, "anna.lind", 1, 0.3, 0.4, 4),
        ("Västerås Rörservice", 16_400, "johan.berg", 10, -0.6, 1.2, 0),
        ("Ekmans Bageri", 5_600, "maja.ek", 5, 0.5, 0.6, 0),
        ("Fyrbåken Säkerhet AB", 47_800, "sara.nyberg", 22, 0.2, 1.9, 0),
        ("Brf Solgläntan", 2_400, "erik.holm", 0, -0.4, 0.3, 6),
        ("Kustbevakarna Marin", 29_900, "anna.lind", 13, -0.1, 1.1, 3),
        ("Hallströms Golv", 8_300, "erik.holm", 7, 0.6, 0.8, 0),
        ("Polstjärnan Skolskjuts", 66_200, "sara.nyberg", 25, 0.0, 2.3, 0),
        ("Dalapilen Kurir", 11_800, "johan.berg", 6, -1.1, 1.0, 2),
        ("Roslagens Veterinär", 7_400, "maja.ek", 9, 0.9, 0.7, 0),
    ].enumerated().map { index, row in
        DemoAccount(
            id: "ACC-\(1001 + index)", name: row.0, mrr: row.1, owner: row.2, interactions: row.3, mood: row.4,
            activity: row.5, silentMonths: row.6)
    }

    /// `accounts.csv`: a header `id,name,mrr,owner,interactions,last_interaction` and one line per account
    /// (RFC 4180 quoting; the last interaction as a UTC date counted back from `now`).
    public static func csv(_ accounts: [DemoAccount], now: Date) -> String {
        var lines = ["id,name,mrr,owner,interactions,last_interaction"]
        for account in accounts {
            let last = ReportCalendar.day(of: now.addingTimeInterval(-Double(account.lastInteractionDaysAgo) * 86_400))
            lines.append([account.id, account.name, String(account.mrr), account.owner, String(account.interactions), last]
                .map(CSV.field).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
