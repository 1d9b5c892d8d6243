using System.Text.Json;

namespace DeployMind.Build.Detection;

internal sealed class StaticSiteDetector : ILanguageDetector
{
    private static readonly string[] s_siteDirectories = [".", "public", "www", "site", "static", "dist", "build"];

    /// <summary>Site generators whose <c>npm run build</c> output is plain files, and where that output goes.</summary>
    private static readonly (string Package, string Tool, string Output)[] s_siteBuilders =
    [
        ("vite", "vite", "dist"), ("react-scripts", "create-react-app", "build"), ("astro", "astro", "dist"),
        ("@vue/cli-service", "vue-cli", "dist"), ("parcel", "parcel", "dist"), ("@docusaurus/core", "docusaurus", "build"),
    ];

    private static readonly HashSet<string> s_serverPackages = new(StringComparer.Ordinal)
    {
        "express", "fastify", "koa", "@hapi/hapi", "hapi", "@nestjs/core", "next", "nuxt", "@remix-run/node", "@sveltejs/kit",
    };

    public string LookedFor => "static site: index.html in the root, public/, www/, site/, static/, dist/ or build/, " +
                               "or a package.json building one with vite, create-react-app, astro, vue-cli, parcel or docusaurus";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        if (DetectBuiltSite(tree) is { } built)
        {
            return built;
        }

        var directory = s_siteDirectories.FirstOrDefault(d => tree.Exists(d == "." ? "index.html" : $"{d}/index.html"));
        if (directory is null)
        {
            return null;
        }

        var prefix = directory == "." ? "" : directory + "/";
        var candidate = new LanguageCandidate(AppLanguage.Static) { DefaultPort = 8080, EntryPoint = directory };
        candidate.Add($"{prefix}index.html", "static site entry page", directory == "." ? 0.5 : 0.4);
        candidate.StartCommand = $"busybox httpd -f -p 8080 -h {directory}";
        foreach (var health in new[] { "health", "healthz", "health.json" })
        {
            if (tree.Exists(prefix + health))
            {
                candidate.HealthPath = "/" + health;
                candidate.Add(prefix + health, $"static health document /{health}", 0.1);
                break;
            }
        }

        return candidate;
    }

    private static LanguageCandidate? DetectBuiltSite(SourceTree tree)
    {
        var text = tree.Read("package.json");
        if (text is null)
        {
            return null;
        }

        JsonElement package;
        try
        {
            using var document = JsonDocument.Parse(text, NodeDetector.JsonOptions);
            package = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }

        if (package.ValueKind != JsonValueKind.Object || !package.TryGetProperty("scripts", out var scripts) ||
            scripts.ValueKind != JsonValueKind.Object || !scripts.TryGetProperty("build", out var build) || build.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var dependencies = NodeDetector.Names(package, "dependencies").Concat(NodeDetector.Names(package, "devDependencies")).ToHashSet(StringComparer.Ordinal);
        var builder = s_siteBuilders.FirstOrDefault(b => dependencies.Contains(b.Package));
        if (builder.Package is null || dependencies.Overlaps(s_serverPackages))
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.Static) { DefaultPort = 8080, Framework = builder.Tool, EntryPoint = builder.Output };
        candidate.Add("package.json", $"depends on {builder.Package} and has scripts.build '{build.GetString()}' -> static site built into {builder.Output}/", 0.6);
        candidate.AddManifestIfExists(tree, "package.json");
        NodeDetector.DetectPackageManager(tree, package, candidate);
        NodeDetector.DetectVersion(tree, package, candidate);
        foreach (var script in scripts.EnumerateObject().Where(s => s.Value.ValueKind == JsonValueKind.String))
        {
            candidate.Scripts[script.Name] = script.Value.GetString()!;
        }

        candidate.StartCommand = $"busybox httpd -f -p 8080 -h {builder.Output}";
        foreach (var health in new[] { "public/health", "public/healthz", "public/health.json" })
        {
            if (tree.Exists(health))
            {
                candidate.HealthPath = health["public".Length..];
                candidate.Add(health, $"static health document {candidate.HealthPath} (copied into the build output)", 0.1);
                break;
            }
        }

        return candidate;
    }
}
