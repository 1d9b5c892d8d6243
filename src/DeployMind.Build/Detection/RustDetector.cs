using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class RustDetector : ILanguageDetector
{
    public string LookedFor => "Rust: Cargo.toml with axum or actix-web";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var cargo = tree.Read("Cargo.toml");
        if (cargo is null)
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.Rust) { PackageManager = "cargo", DefaultPort = 8080 };
        candidate.Add("Cargo.toml", "Rust crate", 0.5);
        candidate.AddManifestIfExists(tree, "Cargo.toml", "Cargo.lock");

        if (Dependency("actix-web").IsMatch(cargo))
        {
            candidate.Framework = "actix-web";
            candidate.Add("Cargo.toml", "depends on actix-web", 0.3);
        }
        else if (Dependency("axum").IsMatch(cargo))
        {
            candidate.Framework = "axum";
            candidate.DefaultPort = 3000;
            candidate.Add("Cargo.toml", "depends on axum", 0.3);
        }

        var bin = BinName().Match(cargo) is { Success: true } b ? b.Groups[1].Value : PackageName().Match(cargo) is { Success: true } p ? p.Groups[1].Value : null;
        if (bin is null || !tree.Files.Any(f => f.StartsWith("src/", StringComparison.Ordinal) && f.EndsWith("main.rs", StringComparison.Ordinal) || f.StartsWith("src/bin/", StringComparison.Ordinal)))
        {
            candidate.Problem = "Cargo.toml found but no binary (src/main.rs or [[bin]])";
            return candidate;
        }

        candidate.EntryPoint = bin;
        candidate.StartCommand = "cargo run --release";
        candidate.Add("Cargo.toml", $"binary '{bin}'", 0.1);

        var toolchain = tree.Read("rust-toolchain.toml") ?? tree.Read("rust-toolchain");
        var version = toolchain is not null ? Inference.VersionFrom(Channel().Match(toolchain) is { Success: true } c ? c.Groups[1].Value : toolchain.Trim(), withMinor: true)
            : RustVersion().Match(cargo) is { Success: true } rv ? Inference.VersionFrom(rv.Groups[1].Value, withMinor: true) : null;
        if (version is not null)
        {
            candidate.LanguageVersion = version;
            candidate.Add(toolchain is not null ? "rust-toolchain" : "Cargo.toml", $"Rust {version}");
        }

        var sources = tree.FilesWithExtension(4, ".rs").ToList();
        candidate.Port = Inference.PortFromDotEnv(tree, candidate) ?? Inference.PortFromCode(tree, sources, candidate, AddressPort(), TuplePort());
        candidate.HealthPath = Inference.HealthPathFromCode(tree, sources, candidate);
        return candidate;
    }

    private static Regex Dependency(string name) => new($@"^\s*{Regex.Escape(name)}\s*=", RegexOptions.Multiline);

    [GeneratedRegex(@"\[\[bin\]\][^\[]*?name\s*=\s*""([^""]+)""")]
    private static partial Regex BinName();

    [GeneratedRegex(@"\[package\][^\[]*?name\s*=\s*""([^""]+)""")]
    private static partial Regex PackageName();

    [GeneratedRegex(@"channel\s*=\s*""([^""]+)""")]
    private static partial Regex Channel();

    [GeneratedRegex(@"rust-version\s*=\s*""([^""]+)""")]
    private static partial Regex RustVersion();

    [GeneratedRegex(@"(?:bind|serve|listen)\w*\(\s*&?""[\w.\[\]:]*:(?<port>\d{2,5})""|\(\[0,\s*0,\s*0,\s*0\],\s*(?<port>\d{2,5})\)")]
    private static partial Regex AddressPort();

    [GeneratedRegex(@"bind\(\s*\(\s*""[\d.:]+""\s*,\s*(?<port>\d{2,5})\s*\)")]
    private static partial Regex TuplePort();
}
