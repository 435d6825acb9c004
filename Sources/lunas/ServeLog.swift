import Foundation
import Logging

/// `lunas serve`'s log: readable lines on a terminal, JSON lines (`{"time":..,"level":..,
/// "message":..,...metadata}`) otherwise, on standard error.
struct ServeLog: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let label: String
    let json: Bool

    static func logger(label: String) -> Logger {
        let json = isatty(FileHandle.standardError.fileDescriptor) == 0
        var logger = Logger(label: label) { label in ServeLog(label: label, json: json) }
        if let level = ProcessInfo.processInfo.environment["LUNAS_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) { logger.logLevel = level }
        return logger
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let time = formatter.string(from: Date())
        var fields = metadata
        for (key, value) in event.metadata ?? [:] { fields[key] = value }
        let line: String
        if json {
            var object: [String: String] = ["time": time, "level": event.level.rawValue, "message": "\(event.message)"]
            for (key, value) in fields where object[key] == nil { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        } else {
            let extra = fields.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            line = "\(time) \(event.level.rawValue.uppercased()) \(event.message)\(extra.isEmpty ? "" : " " + extra)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
