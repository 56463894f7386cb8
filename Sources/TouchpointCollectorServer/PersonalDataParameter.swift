import Hummingbird
import TouchpointCollector

/// The `personalData` query parameter of the routes that hand out comments (`/v1/comments`, `/v1/export.csv`):
/// `masked` (the default) or `show`, which only an admin may ask for.
enum PersonalDataParameter {
    /// The parameter's name.
    static let name = "personalData"

    /// Whether to show personal data unmasked; or the response refusing the request (400 for a bad value, 403 below
    /// admin).
    static func shows(_ values: [String: String], caller: Caller?) -> Result<Bool, PersonalDataRefusal> {
        switch values[name] {
        case nil, "masked":
            return .success(false)
        case "show":
            guard let caller, caller.role >= .admin else {
                return .failure(PersonalDataRefusal(response: AccessPolicyMiddleware.refusal(
                    .forbidden, "forbidden", "personalData=show needs the admin role; comments are shown with personal data masked")))
            }
            return .success(true)
        case let other?:
            return .failure(PersonalDataRefusal(response: UploadController.error(
                .badRequest, "bad_parameter", "\(name): must be masked or show, not '\(other)'")))
        }
    }

    /// Whether the dashboard's pages show `caller` personal data in comments unmasked: admins only.
    static func showsOnPages(to caller: Caller?) -> Bool {
        showsOnPages(to: caller?.role ?? .viewer)
    }

    /// Whether the dashboard's pages show a caller with `role` personal data in comments unmasked: admins only.
    static func showsOnPages(to role: Role) -> Bool {
        role >= .admin
    }
}

/// A request refused over its `personalData` parameter, with the response to send.
struct PersonalDataRefusal: Error {
    var response: Response
}
