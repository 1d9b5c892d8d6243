namespace DeployMind.Build.Detection;

internal sealed class StaticSiteDetector : ILanguageDetector
{
    private static readonly string[] s_siteDirectories = [".", "public", "www", "site", "static", "dist", "build"];

    public string LookedFor => "static site: index.html in the root, public/, www/, site/, static/, dist/ or build/";

    public LanguageCandidate? Detect(SourceTree tree)
    {
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
}
