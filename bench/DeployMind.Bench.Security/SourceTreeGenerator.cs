using System.Text;

namespace DeployMind.Bench.Security;

/// <summary>What was written: the volume both tools must scan, what they must skip, and the planted secrets by rule id.</summary>
internal sealed record GeneratedTree(
    string Root, int ScannedFiles, long ScannedBytes, int SkippedFiles, long SkippedBytes,
    IReadOnlyDictionary<string, int> Planted, int PlantedAllowed);

/// <summary>
/// A deterministic (seeded) source tree that looks like a large monorepo: code in several languages, JSON, YAML,
/// Markdown and minified bundles with very long lines, plus vendored code, VCS objects and binaries that a secret
/// scan must skip. About one file in 40 holds a planted fake secret; one in 200 holds one that allow rules suppress.
/// </summary>
internal static class SourceTreeGenerator
{
    private const int Seed = 20_261_128;

    /// <summary>Rule ids of the secrets planted, each with a line (or lines) that the scanner must report once.</summary>
    public static readonly string[] PlantedRules =
    [
        "aws-access-key-id", "github-pat", "slack-bot-token", "stripe-secret-key", "private-key", "generic-api-key",
        "connection-string-url", "gcp-api-key",
    ];

    private static readonly string[] s_words =
    [
        "account", "order", "invoice", "customer", "payment", "session", "cache", "queue", "worker", "handler", "request",
        "response", "service", "client", "repository", "deployment", "release", "build", "artifact", "image", "container",
        "health", "probe", "metric", "event", "stream", "batch", "retry", "timeout", "config", "option", "setting", "user",
        "group", "role", "policy", "tenant", "region", "cluster", "node", "pod", "volume", "route", "gateway", "proxy",
        "schema", "table", "index", "record", "entry", "journal", "audit", "report", "summary", "detail", "filter", "page",
        "limit", "offset", "cursor", "version", "package", "module", "feature", "flag", "status", "state", "result", "error",
    ];

    private static readonly string[] s_types = ["string", "int", "long", "bool", "TimeSpan", "Guid", "DateTimeOffset", "decimal", "double"];

    private enum Kind
    {
        CSharp,
        TypeScript,
        JavaScript,
        Python,
        Go,
        Java,
        Json,
        Yaml,
        Markdown,
        MinifiedJs,
        Env,
    }

    private static readonly (Kind Kind, string Extension, int Weight)[] s_kinds =
    [
        (Kind.CSharp, ".cs", 20), (Kind.TypeScript, ".ts", 15), (Kind.JavaScript, ".js", 10), (Kind.Python, ".py", 10),
        (Kind.Go, ".go", 8), (Kind.Java, ".java", 7), (Kind.Json, ".json", 12), (Kind.Yaml, ".yaml", 8),
        (Kind.Markdown, ".md", 5), (Kind.MinifiedJs, ".min.js", 3), (Kind.Env, ".env", 2),
    ];

    /// <summary>One file to write; the content is generated from its own seed, so files can be written in parallel.</summary>
    private sealed record PlannedFile(string RelativePath, Kind Kind, int Size, int Seed, string? Planted, bool PlantedAllowed, bool Scanned);

    public static GeneratedTree Generate(string root, long scannedBytesTarget, CancellationToken cancellationToken)
    {
        var rng = new Random(Seed);
        var plan = new List<PlannedFile>();
        long scanned = 0;
        var totalWeight = s_kinds.Sum(k => k.Weight);
        while (scanned < scannedBytesTarget)
        {
            var pick = rng.Next(totalWeight);
            var (kind, extension, _) = s_kinds.First(k => (pick -= k.Weight) < 0);
            var size = kind == Kind.MinifiedJs ? LogUniform(rng, 20_000, 200_000)
                : rng.Next(5) == 0 ? LogUniform(rng, 32_000, 200_000) : LogUniform(rng, 1_000, 32_000);
            var index = plan.Count;
            var directory = $"services/{s_words[index / 2400 % s_words.Length]}-svc{index / 2400:00}/{s_words[index / 80 % s_words.Length]}{index / 80 % 30:00}";
            var name = $"{s_words[rng.Next(s_words.Length)]}_{index:000000}{extension}";
            string? plantedRule = null;
            var allowed = false;
            var roll = rng.Next(200);
            if (roll < 5)
            {
                plantedRule = PlantedRules[rng.Next(PlantedRules.Length)];
            }
            else if (roll == 5)
            {
                allowed = true;
            }

            plan.Add(new PlannedFile($"{directory}/{name}", kind, size, rng.Next(), plantedRule, allowed, Scanned: true));
            scanned += size;
        }

        // What a scan skips: vendored packages (with secrets of their own), VCS objects, binaries by extension and by content.
        var vendored = scannedBytesTarget / 50;
        for (long bytes = 0; bytes < vendored;)
        {
            var size = LogUniform(rng, 1_000, 64_000);
            plan.Add(new PlannedFile($"node_modules/{s_words[rng.Next(s_words.Length)]}-lib/dist/index_{plan.Count}.js", Kind.JavaScript, size, rng.Next(),
                PlantedRules[rng.Next(PlantedRules.Length)], false, Scanned: false));
            bytes += size;
        }

        for (var i = 0; i < 200; i++)
        {
            plan.Add(new PlannedFile($".git/objects/{i % 256:x2}/{rng.NextInt64():x16}", Kind.Env, LogUniform(rng, 200, 20_000), rng.Next(), null, false, Scanned: false));
            plan.Add(new PlannedFile($"assets/img/{s_words[i % s_words.Length]}_{i}.png", Kind.Env, LogUniform(rng, 2_000, 200_000), rng.Next(), null, false, Scanned: false));
        }

        for (var i = 0; i < 20; i++)
        {
            plan.Add(new PlannedFile($"tools/bin/protoc-{i}", Kind.Env, LogUniform(rng, 100_000, 2_000_000), rng.Next(), null, false, Scanned: false));
        }

        Parallel.ForEach(plan, new ParallelOptions { CancellationToken = cancellationToken }, file =>
        {
            var path = Path.Combine(root, file.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var fileRng = new Random(file.Seed);
            if (!file.Scanned && !file.RelativePath.EndsWith(".js", StringComparison.Ordinal))
            {
                var bytes = new byte[file.Size];
                fileRng.NextBytes(bytes);
                bytes[0] = 0x89; // binary: a NUL byte in the first 8 KB
                bytes[Math.Min(bytes.Length - 1, 100)] = 0;
                File.WriteAllBytes(path, bytes);
                return;
            }

            File.WriteAllText(path, Content(file, fileRng), new UTF8Encoding(false));
        });

        var planted = PlantedRules.ToDictionary(r => r, r => plan.Count(f => f.Scanned && f.Planted == r), StringComparer.Ordinal);
        var skipped = plan.Where(f => !f.Scanned).ToList();
        return new GeneratedTree(root, plan.Count(f => f.Scanned), scanned, skipped.Count, skipped.Sum(f => (long)f.Size), planted,
            plan.Count(f => f.PlantedAllowed));
    }

    private static int LogUniform(Random rng, int min, int max) => (int)Math.Exp(Math.Log(min) + (rng.NextDouble() * (Math.Log(max) - Math.Log(min))));

    private static string Content(PlannedFile file, Random rng)
    {
        var text = new StringBuilder(file.Size + 4096);
        var plantAt = rng.Next(Math.Max(1, file.Size - 200));
        var plantedDone = file.Planted is null && !file.PlantedAllowed;
        if (file.Kind == Kind.Json)
        {
            text.Append("[\n");
        }

        while (text.Length < file.Size)
        {
            if (!plantedDone && text.Length >= plantAt)
            {
                text.Append(file.Planted is { } rule ? PlantedSecret(rule, rng) : AllowedSecret(rng)).Append('\n');
                plantedDone = true;
            }

            AppendChunk(text, file.Kind, rng);
        }

        if (!plantedDone)
        {
            text.Append(file.Planted is { } rule ? PlantedSecret(rule, rng) : AllowedSecret(rng)).Append('\n');
        }

        if (file.Kind == Kind.Json)
        {
            text.Append("  {}\n]\n");
        }

        return text.ToString();
    }

    private static void AppendChunk(StringBuilder text, Kind kind, Random rng)
    {
        switch (kind)
        {
            case Kind.CSharp or Kind.Java:
                CSharpLine(text, rng);
                break;
            case Kind.TypeScript or Kind.JavaScript:
                ScriptLine(text, rng);
                break;
            case Kind.Python:
                PythonLine(text, rng);
                break;
            case Kind.Go:
                GoLine(text, rng);
                break;
            case Kind.Json:
                JsonObject(text, rng);
                break;
            case Kind.Yaml:
                YamlDocument(text, rng);
                break;
            case Kind.Markdown:
                text.Append(rng.Next(8) == 0 ? "## " : "").Append(Sentence(rng, 12, 40)).Append("\n\n");
                break;
            case Kind.MinifiedJs:
                MinifiedLine(text, rng);
                break;
            default:
                text.Append(Word(rng).ToUpperInvariant()).Append('_').Append(Word(rng).ToUpperInvariant()).Append('=').Append(rng.Next(100_000)).Append('\n');
                break;
        }
    }

    private static string Word(Random rng) => s_words[rng.Next(s_words.Length)];

    private static string Pascal(Random rng, int words = 2)
    {
        var name = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            var w = Word(rng);
            name.Append(char.ToUpperInvariant(w[0])).Append(w, 1, w.Length - 1);
        }

        return name.ToString();
    }

    private static string Camel(Random rng)
    {
        var p = Pascal(rng);
        return char.ToLowerInvariant(p[0]) + p[1..];
    }

    private static string Sentence(Random rng, int min, int max)
    {
        var words = rng.Next(min, max);
        var s = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            s.Append(i == 0 ? "" : " ").Append(Word(rng));
        }

        return s.Append('.').ToString();
    }

    private static void CSharpLine(StringBuilder t, Random rng)
    {
        var indent = new string(' ', 4 * rng.Next(1, 4));
        t.Append(indent);
        switch (rng.Next(14))
        {
            case 0: t.Append($"var {Camel(rng)} = await _{Camel(rng)}.{Pascal(rng)}Async({Camel(rng)}, cancellationToken);"); break;
            case 1: t.Append($"if ({Camel(rng)} is null) throw new ArgumentNullException(nameof({Camel(rng)}));"); break;
            case 2: t.Append("// ").Append(Sentence(rng, 5, 16)); break;
            case 3: t.Append($"public {s_types[rng.Next(s_types.Length)]} {Pascal(rng)} {{ get; init; }}"); break;
            case 4: t.Append($"_logger.LogInformation(\"{Sentence(rng, 3, 8)} {{{Pascal(rng)}}}\", {Camel(rng)});"); break;
            case 5: t.Append($"var cacheKey = $\"{Word(rng)}:{{{Camel(rng)}}}:{{{Camel(rng)}}}\";"); break;
            case 6: t.Append("string token = request.Headers[\"Authorization\"];"); break;
            case 7: t.Append($"return {Camel(rng)}.Where(x => x.{Pascal(rng)} > {rng.Next(1000)}).ToList();"); break;
            case 8: t.Append(rng.Next(2) == 0 ? "{" : "}"); break;
            case 9: t.Append($"private readonly {Pascal(rng)} _{Camel(rng)};"); break;
            case 10: t.Append($"options.{Pascal(rng)}Timeout = TimeSpan.FromSeconds({rng.Next(1, 600)});"); break;
            case 11: t.Append($"var secretName = configuration.GetSection(\"{Pascal(rng)}\").Value;"); break;
            case 12: t.Append($"if (password.Length < {rng.Next(8, 16)}) return ValidationResult.Fail(\"{Sentence(rng, 3, 6)}\");"); break;
            default: t.Append($"await foreach (var {Camel(rng)} in _{Camel(rng)}.Read{Pascal(rng)}Async(cancellationToken)) {{ count++; }}"); break;
        }

        t.Append('\n');
    }

    private static void ScriptLine(StringBuilder t, Random rng)
    {
        t.Append(new string(' ', 2 * rng.Next(0, 4)));
        switch (rng.Next(10))
        {
            case 0: t.Append($"const {Camel(rng)} = await fetch(`${{baseUrl}}/{Word(rng)}/${{{Camel(rng)}}}`);"); break;
            case 1: t.Append($"export function {Camel(rng)}({Camel(rng)}: {Pascal(rng)}): {Pascal(rng)} {{"); break;
            case 2: t.Append($"import {{ {Pascal(rng)}, {Pascal(rng)} }} from './{Word(rng)}/{Word(rng)}';"); break;
            case 3: t.Append($"return {{ ...{Camel(rng)}, {Camel(rng)}: {rng.Next(10_000)} }};"); break;
            case 4: t.Append($"const apiKey = process.env.{Word(rng).ToUpperInvariant()}_API_KEY;"); break;
            case 5: t.Append("// ").Append(Sentence(rng, 5, 16)); break;
            case 6: t.Append('}'); break;
            case 7: t.Append($"if (!{Camel(rng)}.{Camel(rng)}) throw new Error('{Sentence(rng, 3, 8)}');"); break;
            case 8: t.Append($"this.{Camel(rng)} = new Map<string, {Pascal(rng)}>();"); break;
            default: t.Append($"const {{ {Camel(rng)}, {Camel(rng)} }} = useState<{Pascal(rng)} | null>(null);"); break;
        }

        t.Append('\n');
    }

    private static void PythonLine(StringBuilder t, Random rng)
    {
        string Snake() => $"{Word(rng)}_{Word(rng)}";
        switch (rng.Next(8))
        {
            case 0: t.Append($"def {Snake()}(self, {Snake()}, {Snake()}=None):"); break;
            case 1: t.Append($"    {Snake()} = self.{Snake()}.get(\"{Word(rng)}\", {rng.Next(100)})"); break;
            case 2: t.Append($"    token = os.environ[\"{Word(rng).ToUpperInvariant()}_TOKEN\"]"); break;
            case 3: t.Append("# ").Append(Sentence(rng, 5, 14)); break;
            case 4: t.Append($"    return [x for x in {Snake()} if x.{Snake()} > {rng.Next(100)}]"); break;
            case 5: t.Append($"class {Pascal(rng)}({Pascal(rng)}):"); break;
            case 6: t.Append($"        logger.info(\"{Sentence(rng, 3, 9)} %s\", {Snake()})"); break;
            default: t.Append(""); break;
        }

        t.Append('\n');
    }

    private static void GoLine(StringBuilder t, Random rng)
    {
        switch (rng.Next(7))
        {
            case 0: t.Append($"func (s *{Pascal(rng)}) {Pascal(rng)}(ctx context.Context, {Camel(rng)} string) error {{"); break;
            case 1: t.Append($"\tif err != nil {{\n\t\treturn fmt.Errorf(\"{Sentence(rng, 3, 7)}: %w\", err)\n\t}}"); break;
            case 2: t.Append($"\t{Camel(rng)} := s.{Camel(rng)}.{Pascal(rng)}()"); break;
            case 3: t.Append("\t// ").Append(Sentence(rng, 5, 14)); break;
            case 4: t.Append('}'); break;
            case 5: t.Append($"\tfor _, {Camel(rng)} := range {Camel(rng)} {{"); break;
            default: t.Append($"\tlog.Printf(\"{Sentence(rng, 3, 7)} %v\", {Camel(rng)})"); break;
        }

        t.Append('\n');
    }

    private static void JsonObject(StringBuilder t, Random rng)
    {
        var checksum = new char[43];
        for (var i = 0; i < checksum.Length; i++)
        {
            checksum[i] = Base64[rng.Next(Base64.Length)];
        }

        t.Append("  {\n")
            .Append($"    \"id\": {rng.Next(1_000_000)},\n")
            .Append($"    \"name\": \"{Word(rng)}-{Word(rng)}\",\n")
            .Append($"    \"description\": \"{Sentence(rng, 6, 20)}\",\n")
            .Append($"    \"tags\": [\"{Word(rng)}\", \"{Word(rng)}\", \"{Word(rng)}\"],\n")
            .Append($"    \"enabled\": {(rng.Next(2) == 0 ? "true" : "false")},\n")
            .Append($"    \"integrity\": \"sha256-{new string(checksum)}=\",\n")
            .Append($"    \"updatedAt\": \"2025-{rng.Next(1, 13):00}-{rng.Next(1, 29):00}T{rng.Next(24):00}:{rng.Next(60):00}:00Z\"\n")
            .Append("  },\n");
    }

    private static void YamlDocument(StringBuilder t, Random rng)
    {
        var app = $"{Word(rng)}-{Word(rng)}";
        t.Append($"""
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: {app}
              labels:
                app: {app}
            spec:
              replicas: {rng.Next(1, 6)}
              template:
                spec:
                  containers:
                    - name: {app}
                      image: registry.example.com/{app}:{rng.Next(10)}.{rng.Next(30)}.{rng.Next(100)}
                      env:
                        - name: {Word(rng).ToUpperInvariant()}_TOKEN
                          valueFrom:
                            secretKeyRef:
                              name: {app}-secrets
                              key: token
                        - name: LOG_LEVEL
                          value: "{(rng.Next(2) == 0 ? "info" : "debug")}"

            """);
    }

    private static void MinifiedLine(StringBuilder t, Random rng)
    {
        var length = rng.Next(5_000, 60_000);
        var start = t.Length;
        while (t.Length - start < length)
        {
            t.Append(rng.Next(4) switch
            {
                0 => $"function {(char)('a' + rng.Next(26))}{rng.Next(100)}(e,t){{return e.{Camel(rng)}(t)}}",
                1 => $"var {(char)('a' + rng.Next(26))}={{{Camel(rng)}:{rng.Next(1000)},{Camel(rng)}:\"{Word(rng)}\"}};",
                2 => $"if(!n.{Camel(rng)})throw new Error(\"{Sentence(rng, 2, 5)}\");",
                _ => $"t.exports={{{Camel(rng)}:r,{Camel(rng)}:o}};",
            });
        }

        t.Append('\n');
    }

    private const string Base64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private static string Random(Random rng, string alphabet, int length, bool needsDigit = false)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[rng.Next(alphabet.Length)];
        }

        if (needsDigit)
        {
            chars[rng.Next(length)] = (char)('0' + rng.Next(10));
        }

        return new string(chars);
    }

    /// <summary>A line (or a PEM block) holding a fake secret that the rule must report.</summary>
    private static string PlantedSecret(string rule, Random rng) => rule switch
    {
        "aws-access-key-id" => $"AWS_ACCESS_KEY_ID = \"AKIA{Random(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}\"",
        "github-pat" => $"      GH_TOKEN: ghp_{Random(rng, Alnum, 36)}",
        "slack-bot-token" => $"const slack = new WebClient(\"xoxb-{Random(rng, "0123456789", 11)}-{Random(rng, "0123456789", 12)}-{Random(rng, Alnum, 24)}\");",
        "stripe-secret-key" => $"const stripe = new Stripe(\"sk_live_{Random(rng, Alnum, 24)}\");",
        "private-key" => "-----BEGIN RSA PRIVATE KEY-----\n"
            + string.Join('\n', Enumerable.Range(0, 12).Select(_ => Random(rng, Base64, 64)))
            + "\n-----END RSA PRIVATE KEY-----",
        "generic-api-key" => $"    private const string ApiKey = \"{Random(rng, Alnum, 32, needsDigit: true)}\";",
        "connection-string-url" => $"DATABASE_URL=postgres://app_user:{Random(rng, Alnum, 16, needsDigit: true)}@db-{Word(rng)}.internal:5432/{Word(rng)}",
        "gcp-api-key" => $"  \"mapsKey\": \"AIza{Random(rng, Alnum + "_-", 35)}\",",
        _ => throw new ArgumentOutOfRangeException(nameof(rule), rule, "no planted secret of this rule"),
    };

    /// <summary>Matches of the patterns that the scanner's allow rules drop: documentation keys, placeholders, inline allows.</summary>
    private static string AllowedSecret(Random rng) => rng.Next(3) switch
    {
        0 => "AWS_ACCESS_KEY_ID = \"AKIAIOSFODNN7EXAMPLE\"",
        1 => "    password: \"${DB_PASSWORD}\"",
        _ => $"const stripeTestKey = \"sk_live_{Random(rng, Alnum, 24)}\"; // deploymind:allow stripe-secret-key",
    };
}
