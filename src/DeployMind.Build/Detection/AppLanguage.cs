using DeployMind.Domain;

namespace DeployMind.Build.Detection;

/// <summary>Languages DeployMind detects; the wire value is what build_results.detected_language stores.</summary>
public enum AppLanguage
{
    [WireValue("nodejs")] NodeJs,
    [WireValue("python")] Python,
    [WireValue("go")] Go,
    [WireValue("java")] Java,
    [WireValue("dotnet")] DotNet,
    [WireValue("ruby")] Ruby,
    [WireValue("rust")] Rust,
    [WireValue("php")] Php,
    [WireValue("static")] Static,
}
