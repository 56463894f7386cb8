import Hummingbird
import HTTPTypes
import TouchpointProtocol

/// Kiosk and collector announce their protocol version (``UploadProtocol/versionHeader``): every answer carries this
/// collector's, and a kiosk request declaring a version this release does not serve is refused with 400
/// `unsupported_protocol` before anything of it is read — the kiosk keeps its responses pending and shows why.
struct ProtocolVersionMiddleware: RouterMiddleware {
    typealias Context = CollectorRequestContext

    static let header = HTTPField.Name(UploadProtocol.versionHeader)

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        if let header = Self.header, let problem = UploadProtocol.incompatibility(declared: request.headers[header]) {
            context.logger.warning("kiosk request with an unsupported protocol refused", metadata: [
                "path": "\(request.uri.path)", "protocol.declared": "\(request.headers[header] ?? "")",
            ])
            response = UploadController.error(.badRequest, "unsupported_protocol", problem)
        } else {
            response = try await next(request, context)
        }
        if let header = Self.header {
            response.headers[header] = UploadProtocol.version
        }
        return response
    }
}
