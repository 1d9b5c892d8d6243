using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class JavaDetector : ILanguageDetector
{
    public string LookedFor => "Java: pom.xml (Maven) or build.gradle[.kts] (Gradle) with Spring Boot";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var buildFile = new[] { "pom.xml", "build.gradle.kts", "build.gradle" }.FirstOrDefault(tree.Exists);
        if (buildFile is null)
        {
            return null;
        }

        var text = tree.Read(buildFile) ?? "";
        var maven = buildFile == "pom.xml";
        var candidate = new LanguageCandidate(AppLanguage.Java)
        {
            DefaultPort = 8080,
            PackageManager = maven ? "maven" : "gradle",
            StartCommand = "java -jar app.jar",
        };
        candidate.Add(buildFile, $"{(maven ? "Maven" : "Gradle")} build", 0.5);
        candidate.AddManifestIfExists(tree, buildFile, "settings.gradle", "settings.gradle.kts", "gradle.properties");

        if (text.Contains("spring-boot", StringComparison.Ordinal) || text.Contains("org.springframework.boot", StringComparison.Ordinal))
        {
            candidate.Framework = "spring-boot";
            candidate.Add(buildFile, "uses Spring Boot", 0.3);
        }
        else
        {
            candidate.Add(buildFile, "no Spring Boot; assuming the build produces a runnable (fat) jar");
        }

        if (JavaVersion().Match(text) is { Success: true } version)
        {
            candidate.LanguageVersion = version.Groups["v"].Value;
            candidate.Add(buildFile, $"Java {candidate.LanguageVersion}");
        }

        foreach (var config in new[] { "src/main/resources/application.properties", "src/main/resources/application.yml", "src/main/resources/application.yaml" })
        {
            if (tree.Read(config) is { } settings && ServerPort().Match(settings) is { Success: true } port && Inference.ParsePort(port.Groups["port"].Value) is { } value)
            {
                candidate.Port = value;
                candidate.Add(config, $"server.port {value}", 0.1);
                break;
            }
        }

        if (text.Contains("spring-boot-starter-actuator", StringComparison.Ordinal))
        {
            candidate.HealthPath = "/actuator/health";
            candidate.Add(buildFile, "Spring Boot Actuator -> /actuator/health", 0.1);
        }
        else
        {
            candidate.HealthPath = Inference.HealthPathFromCode(tree, tree.FilesWithExtension(8, ".java", ".kt"), candidate);
        }

        return candidate;
    }

    [GeneratedRegex(@"(?:<java\.version>|<maven\.compiler\.release>|<maven\.compiler\.source>|<release>|JavaLanguageVersion\.of\(|sourceCompatibility\s*=\s*['""]?(?:JavaVersion\.VERSION_)?)(?<v>\d+)")]
    private static partial Regex JavaVersion();

    [GeneratedRegex(@"(?:server\.port\s*[=:]|server:\s*\n(?:\s+#.*\n)*\s+port:)\s*(?:\$\{\w+:)?(?<port>\d{2,5})")]
    private static partial Regex ServerPort();
}
