using System.Text.RegularExpressions;

namespace DeployMind.Build.Detection;

internal sealed partial class PythonDetector : ILanguageDetector
{
    private static readonly string[] s_manifests = ["requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg"];
    private static readonly string[] s_scripts = ["app.py", "main.py", "server.py", "run.py", "wsgi.py", "asgi.py"];
    private static readonly (string Package, string Framework, int Port)[] s_frameworks =
        [("fastapi", "fastapi", 8000), ("django", "django", 8000), ("flask", "flask", 5000), ("starlette", "starlette", 8000)];

    public string LookedFor => "Python: requirements.txt, pyproject.toml, Pipfile or setup.py, or app.py/main.py with a __main__ block";

    public LanguageCandidate? Detect(SourceTree tree)
    {
        var manifests = s_manifests.Where(tree.Exists).ToList();
        var sources = tree.FilesWithExtension(3, ".py")
            .Where(f => !f.Contains("test", StringComparison.OrdinalIgnoreCase) && !f.StartsWith("docs/", StringComparison.Ordinal))
            .ToList();
        if (manifests.Count == 0 && !(s_scripts.Any(tree.Exists) || tree.Exists("manage.py")))
        {
            return null;
        }

        var candidate = new LanguageCandidate(AppLanguage.Python) { DefaultPort = 8000 };
        foreach (var manifest in manifests)
        {
            candidate.Add(manifest, "Python manifest", manifest == manifests[0] ? 0.4 : 0);
        }

        if (manifests.Count == 0)
        {
            candidate.Add(s_scripts.FirstOrDefault(tree.Exists) ?? "manage.py", "Python source without a manifest", 0.3);
        }

        DetectPackageManager(tree, candidate);
        DetectVersion(tree, candidate);

        var manifestText = string.Join('\n', manifests.Select(m => tree.Read(m) ?? ""));
        foreach (var (package, framework, frameworkPort) in s_frameworks)
        {
            if (Regex.IsMatch(manifestText, $@"(?im)(^|[\s""'=\[,])({Regex.Escape(package)})(\b(?![-_])|\[)"))
            {
                candidate.Framework = framework;
                candidate.DefaultPort = frameworkPort;
                candidate.Add(manifests.First(m => (tree.Read(m) ?? "").Contains(package, StringComparison.OrdinalIgnoreCase)),
                    $"depends on {package} -> {framework}", 0.3);
                break;
            }

            if (tree.FindInFiles(sources, new Regex($@"^\s*(from|import)\s+{package}\b", RegexOptions.Multiline)) is { } import)
            {
                candidate.Framework = framework;
                candidate.DefaultPort = frameworkPort;
                candidate.Add(import.File, $"imports {package} -> {framework} (not in a manifest)", 0.2);
                break;
            }
        }

        var hasGunicorn = manifestText.Contains("gunicorn", StringComparison.OrdinalIgnoreCase);
        candidate.Port = Inference.PortFromDotEnv(tree, candidate)
            ?? Inference.PortFromCode(tree, sources, candidate, EnvDefaultPort(), RunPort());
        if (Inference.ProcfileWeb(tree, candidate) is { } procfile)
        {
            candidate.StartCommand = procfile;
            candidate.Port = Inference.PortFromCommand(procfile, "Procfile", candidate) ?? candidate.Port;
        }

        var port = candidate.Port ?? candidate.DefaultPort;
        switch (candidate.Framework)
        {
            case "fastapi" or "starlette":
                DetectAsgi(tree, sources, candidate, candidate.Framework == "fastapi" ? "FastAPI" : "Starlette", port);
                break;
            case "flask":
                DetectFlask(tree, sources, candidate, port, hasGunicorn);
                break;
            case "django":
                DetectDjango(tree, candidate, port, hasGunicorn);
                break;
        }

        if (candidate.StartCommand is null && s_scripts.FirstOrDefault(s => tree.Read(s)?.Contains("__main__", StringComparison.Ordinal) == true) is { } script)
        {
            candidate.StartCommand = $"python3 {script}";
            candidate.EntryPoint = script;
            candidate.Add(script, "has an if __name__ == \"__main__\" block", 0.1);
        }

        if (candidate.StartCommand is null)
        {
            candidate.Problem = "no Procfile web process, no recognised framework app object and no app.py/main.py/server.py with a __main__ block";
        }

        candidate.HealthPath = Inference.HealthPathFromCode(tree, sources, candidate);
        return candidate;
    }

    private static void DetectPackageManager(SourceTree tree, LanguageCandidate candidate)
    {
        var pyproject = tree.Read("pyproject.toml") ?? "";
        if (tree.Exists("uv.lock"))
        {
            candidate.PackageManager = "uv";
            candidate.Add("uv.lock", "lockfile -> uv", 0.1);
            candidate.AddManifestIfExists(tree, "pyproject.toml", "uv.lock");
        }
        else if (tree.Exists("poetry.lock") || pyproject.Contains("[tool.poetry]", StringComparison.Ordinal))
        {
            candidate.PackageManager = "poetry";
            candidate.Add(tree.Exists("poetry.lock") ? "poetry.lock" : "pyproject.toml", "poetry project -> poetry", 0.1);
            candidate.AddManifestIfExists(tree, "pyproject.toml", "poetry.lock");
        }
        else if (tree.Exists("Pipfile"))
        {
            candidate.PackageManager = "pipenv";
            candidate.Add(tree.Exists("Pipfile.lock") ? "Pipfile.lock" : "Pipfile", "Pipfile -> pipenv", 0.1);
            candidate.AddManifestIfExists(tree, "Pipfile", "Pipfile.lock");
        }
        else
        {
            candidate.PackageManager = "pip";
            if (tree.Read("requirements.txt") is { } requirements)
            {
                candidate.HasNoDependencies = s_manifests.Count(tree.Exists) == 1 && requirements.Split('\n').All(l => l.Trim().Length == 0 || l.TrimStart().StartsWith('#'));
                candidate.Add("requirements.txt", candidate.HasNoDependencies ? "requirements file lists no packages (standard library only) -> pip" : "requirements file -> pip");
                candidate.AddManifestIfExists(tree, "requirements.txt");
            }
            else
            {
                candidate.AddManifestIfExists(tree, "pyproject.toml", "setup.py", "setup.cfg");
            }
        }
    }

    private static void DetectVersion(SourceTree tree, LanguageCandidate candidate)
    {
        (string File, Regex? Pattern)[] sources =
        [
            (".python-version", null),
            ("runtime.txt", PythonDash()),
            ("pyproject.toml", RequiresPython()),
            ("pyproject.toml", PoetryPython()),
            ("Pipfile", PipfileVersion()),
        ];
        foreach (var (file, pattern) in sources)
        {
            var text = tree.Read(file);
            if (text is null)
            {
                continue;
            }

            var value = pattern is null ? text.Trim() : pattern.Match(text) is { Success: true } m ? m.Groups[1].Value : null;
            if (Inference.VersionFrom(value, withMinor: true) is { } version && version.Contains('.', StringComparison.Ordinal))
            {
                candidate.LanguageVersion = version;
                candidate.Add(file, $"Python {version} ('{Inference.Shorten(value!)}')");
                return;
            }
        }
    }

    private static void DetectAsgi(SourceTree tree, List<string> sources, LanguageCandidate candidate, string type, int port)
    {
        var app = tree.FindInFiles(sources, new Regex($@"^(\w+)\s*(?::\s*\w+\s*)?=\s*{type}\(", RegexOptions.Multiline));
        if (app is not { } found)
        {
            return;
        }

        candidate.EntryPoint = $"{Module(found.File)}:{found.Match.Groups[1].Value}";
        candidate.Add(found.File, $"{type} app object '{found.Match.Groups[1].Value}'", 0.1);
        candidate.StartCommand ??= $"uvicorn {candidate.EntryPoint} --host 0.0.0.0 --port {port}";
    }

    private static void DetectFlask(SourceTree tree, List<string> sources, LanguageCandidate candidate, int port, bool hasGunicorn)
    {
        var app = tree.FindInFiles(sources, FlaskApp());
        if (app is not { } found)
        {
            return;
        }

        candidate.EntryPoint = $"{Module(found.File)}:{found.Match.Groups[1].Value}";
        candidate.Add(found.File, $"Flask app object '{found.Match.Groups[1].Value}'", 0.1);
        candidate.StartCommand ??= hasGunicorn
            ? $"gunicorn --bind 0.0.0.0:{port} {candidate.EntryPoint}"
            : $"flask --app {candidate.EntryPoint} run --host 0.0.0.0 --port {port}";
    }

    private static void DetectDjango(SourceTree tree, LanguageCandidate candidate, int port, bool hasGunicorn)
    {
        if (!tree.Exists("manage.py"))
        {
            return;
        }

        candidate.Add("manage.py", "Django management script", 0.1);
        var settings = tree.Files.FirstOrDefault(f => f.EndsWith("settings.py", StringComparison.Ordinal) && SourceTree.Depth(f) <= 2);
        var wsgi = settings is null ? null : WsgiApplication().Match(tree.Read(settings) ?? "");
        if (wsgi is { Success: true })
        {
            var module = wsgi.Groups[1].Value;
            var lastDot = module.LastIndexOf('.');
            candidate.EntryPoint = $"{module[..lastDot]}:{module[(lastDot + 1)..]}";
            candidate.Add(settings!, $"WSGI_APPLICATION = {module}");
        }

        candidate.StartCommand ??= hasGunicorn && candidate.EntryPoint is not null
            ? $"gunicorn --bind 0.0.0.0:{port} {candidate.EntryPoint}"
            : $"python3 manage.py runserver 0.0.0.0:{port}";
    }

    private static string Module(string file) => file[..^3].Replace('/', '.');

    [GeneratedRegex(@"^python-(\d+\.\d+)", RegexOptions.Multiline)]
    private static partial Regex PythonDash();

    [GeneratedRegex(@"requires-python\s*=\s*[""']([^""']+)")]
    private static partial Regex RequiresPython();

    [GeneratedRegex(@"^python\s*=\s*[""']([^""']+)", RegexOptions.Multiline)]
    private static partial Regex PoetryPython();

    [GeneratedRegex(@"python_(?:full_)?version\s*=\s*[""']([^""']+)")]
    private static partial Regex PipfileVersion();

    [GeneratedRegex(@"^(\w+)\s*=\s*Flask\(", RegexOptions.Multiline)]
    private static partial Regex FlaskApp();

    [GeneratedRegex(@"WSGI_APPLICATION\s*=\s*[""']([\w.]+)[""']")]
    private static partial Regex WsgiApplication();

    [GeneratedRegex(@"(?:environ\.get|getenv)\(\s*[""']PORT[""']\s*,\s*[""']?(?<port>\d{2,5})")]
    private static partial Regex EnvDefaultPort();

    [GeneratedRegex(@"\.run\([^)]*port\s*=\s*(?<port>\d{2,5})")]
    private static partial Regex RunPort();
}
