using System.Text.Json;
using DeployMind.Pipeline.Configuration;
using DeployMind.Testing;
using static DeployMind.Pipeline.Tests.Configuration.ConfigAssert;

namespace DeployMind.Pipeline.Tests.Configuration;

public sealed class SecretTests
{
    private const string Literal = "hunter2-Zq9";

    [Theory]
    [InlineData("registry: { url: 127.0.0.1:5000, username: deployer, password: hunter2-Zq9 }", "registry.password")]
    [InlineData("secrets: { DATABASE_URL: hunter2-Zq9 }", "secrets.DATABASE_URL")]
    [InlineData("build: { secrets: { NPM_TOKEN: \"hunter2-Zq9\" } }", "build.secrets.NPM_TOKEN")]
    public void CheckText_InlineSecretLiteral_IsRejectedWithoutEchoingIt(string extra, string key)
    {
        var yaml = MinimalWith(extra);

        var problem = Only(yaml, key);
        var error = Assert.Throws<ConfigValidationException>(() => AppConfigLoader.Parse(yaml));

        Assert.Contains("inline value", problem.Message, StringComparison.Ordinal);
        Assert.Contains("{ env: NAME }", problem.Fix, StringComparison.Ordinal);
        Assert.Contains("{ file: PATH }", problem.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(Literal, problem.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Literal, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckText_ShellStyleVariable_SuggestsTheEnvReference()
    {
        var problem = Only(MinimalWith("secrets: { DATABASE_URL: \"${APP_DATABASE_URL}\" }"), "secrets.DATABASE_URL");

        Assert.Equal("'${APP_DATABASE_URL}' is not expanded in this file", problem.Message);
        Assert.Equal("write { env: APP_DATABASE_URL } to read the secret from APP_DATABASE_URL", problem.Fix);
    }

    [Fact]
    public void CheckText_SshKeyPastedInline_IsRejectedWithoutEchoingIt()
    {
        var yaml = """
            name: storefront
            repository: acme/storefront
            targets:
              - name: web-1
                type: ssh
                host: 127.0.0.1
                user: deploy
                key: |
                  -----BEGIN OPENSSH PRIVATE KEY-----
                  b3BlbnNzaC1rZXktdjEAAAAA
                  -----END OPENSSH PRIVATE KEY-----
            """;

        var problem = Only(yaml, "targets[0].key");

        Assert.DoesNotContain("b3BlbnNzaC1rZXktdjEAAAAA", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(8, problem.Line);
    }

    [Fact]
    public void CheckText_SecretReferenceWithBothOrUnknownKeys_IsRejectedWithoutEchoingValues()
    {
        var problems = Problems(MinimalWith("secrets:\n  A: { env: X, file: /run/x }\n  B: { value: hunter2-Zq9 }\n  C: { env: \"hunter2 Zq9!\" }"));

        Assert.Equal("names both env and file", Single(problems, "secrets.A").Message);
        Assert.StartsWith("unknown key 'value'", Single(problems, "secrets.B.value").Message, StringComparison.Ordinal);
        Assert.Equal("is not an environment variable name", Single(problems, "secrets.C.env").Message);
        Assert.All(problems, p => Assert.DoesNotContain("hunter2", p.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public void CheckText_ApiKeyInsteadOfVariableName_IsRejectedWithoutEchoingIt()
    {
        const string Key = "gsk_8fJ2kLmN0pQrStUvWxYz1234567890abcdEF";

        var problem = Only(MinimalWith($"llm: {{ api_key_env: {Key} }}"), "llm.api_key_env");

        Assert.Contains("NAME of the environment variable", problem.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveSecrets_SeveralMissing_ListsThemAllAtOnce()
    {
        using var dir = new TempDirectory();
        var config = Valid("""
            name: storefront
            repository: acme/storefront
            build:
              secrets: { NPM_TOKEN: { env: NPM_TOKEN } }
            registry:
              url: 127.0.0.1:5000
              username: deployer
              password: { env: REGISTRY_PASSWORD }
            targets:
              - name: local
            secrets:
              DATABASE_URL: { env: APP_DATABASE_URL }
              API_TOKEN: { file: secrets/api_token }
              PRESENT: { env: PRESENT_VAR }
            """) with { BaseDirectory = dir.Path };
        var environment = new Dictionary<string, string?> { ["PRESENT_VAR"] = "fine", ["NPM_TOKEN"] = "" };

        var error = Assert.Throws<ConfigValidationException>(() => AppConfigLoader.ResolveSecrets(config, environment));

        Assert.Equal(
            ["build.secrets.NPM_TOKEN", "registry.password", "secrets.DATABASE_URL", "secrets.API_TOKEN"],
            error.Problems.Select(p => p.Key));
        Assert.Equal(4, error.Problems[0].Line);
        Assert.Equal("environment variable NPM_TOKEN is set but empty", error.Problems[0].Message);
        Assert.Equal("environment variable REGISTRY_PASSWORD is not set", error.Problems[1].Message);
        Assert.Contains("export REGISTRY_PASSWORD", error.Problems[1].Fix, StringComparison.Ordinal);
        Assert.Equal(12, error.Problems[2].Line);
        Assert.Equal($"secret file {Path.Combine(dir.Path, "secrets", "api_token")} does not exist", error.Problems[3].Message);
        Assert.Contains("deploymind.yml:13:14: secrets.API_TOKEN: secret file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveSecretsAsync_AllPresent_ReturnsValuesThatOnlyRevealOnRequest()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("keys"));
        await File.WriteAllTextAsync(dir.Combine("keys", "id_ed25519"), "-----KEY-----\n", CancellationToken.None);
        await File.WriteAllTextAsync(dir.Combine("api_token"), "tok-123\r\n", CancellationToken.None);
        var config = Valid("""
            name: storefront
            repository: acme/storefront
            registry: { url: 127.0.0.1:5000, username: deployer, password: { env: REGISTRY_PASSWORD } }
            targets:
              - name: web-1
                type: ssh
                host: 127.0.0.1
                user: deploy
                key: { file: ~/keys/id_ed25519 }
            secrets:
              DATABASE_URL: { env: APP_DATABASE_URL }
              API_TOKEN: { file: api_token }
            """) with { BaseDirectory = dir.Path };
        var environment = new Dictionary<string, string?>
        {
            ["HOME"] = dir.Path,
            ["APP_DATABASE_URL"] = "postgres://app:s3cret@127.0.0.1/app",
            ["REGISTRY_PASSWORD"] = "reg-pw",
        };

        var secrets = await AppConfigLoader.ResolveSecretsAsync(config, environment, CancellationToken.None);

        Assert.Equal("postgres://app:s3cret@127.0.0.1/app", secrets.Environment["DATABASE_URL"].Reveal());
        Assert.Equal("tok-123", secrets.Environment["API_TOKEN"].Reveal());
        Assert.Equal("reg-pw", secrets.RegistryPassword!.Reveal());
        Assert.Equal("-----KEY-----", secrets.TargetKeys["web-1"].Reveal());
        Assert.Equal("connect to *** with ***", secrets.Redact("connect to postgres://app:s3cret@127.0.0.1/app with tok-123"));
    }

    [Fact]
    public void Resolve_MissingVariable_ThrowsNamingTheVariable()
    {
        var reference = SecretReference.FromEnv("DM_TEST_SURELY_UNSET_VARIABLE");

        var error = Assert.Throws<ConfigValidationException>(() => reference.Resolve(new Dictionary<string, string?>()));

        Assert.Contains("DM_TEST_SURELY_UNSET_VARIABLE is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretValue_PrintedFormattedOrSerialized_ShowsOnlyTheMask()
    {
        var secret = new SecretValue("s3cret-value");

        Assert.Equal("***", secret.ToString());
        Assert.Equal("password=***", $"password={secret}");
        Assert.Equal("password=***", string.Format(System.Globalization.CultureInfo.InvariantCulture, "password={0:G}", secret));
        Assert.Equal("\"***\"", JsonSerializer.Serialize(secret));
        Assert.Equal("{\"Password\":\"***\"}", JsonSerializer.Serialize(new { Password = secret }));
        Assert.Equal("s3cret-value", secret.Reveal());
    }

    [Fact]
    public void ToSafeJson_ConfigWithSecrets_KeepsReferencesAndNoValues()
    {
        var config = Valid(MinimalWith("""
            registry: { url: 127.0.0.1:5000, username: deployer, password: { env: REGISTRY_PASSWORD } }
            env: { NODE_ENV: production }
            secrets:
              DATABASE_URL: { env: APP_DATABASE_URL }
              API_TOKEN: { file: /run/secrets/api_token }
            """));
        var environment = new Dictionary<string, string?> { ["APP_DATABASE_URL"] = "postgres://x:pw@h/db", ["REGISTRY_PASSWORD"] = "reg-pw" };
        var resolved = AppConfigLoader.ResolveSecrets(config with { Secrets = new Dictionary<string, SecretReference>
        {
            ["DATABASE_URL"] = config.Secrets["DATABASE_URL"],
        } }, environment);

        var json = config.ToSafeJson();
        var text = json.ToJsonString();

        Assert.Equal("{\"env\":\"APP_DATABASE_URL\"}", json["secrets"]!["DATABASE_URL"]!.ToJsonString());
        Assert.Equal("{\"file\":\"/run/secrets/api_token\"}", json["secrets"]!["API_TOKEN"]!.ToJsonString());
        Assert.Equal("{\"env\":\"REGISTRY_PASSWORD\"}", json["registry"]!["password"]!.ToJsonString());
        Assert.Equal("production", json["env"]!["NODE_ENV"]!.GetValue<string>());
        Assert.DoesNotContain(resolved.Environment["DATABASE_URL"].Reveal(), text, StringComparison.Ordinal);
        Assert.DoesNotContain("reg-pw", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DeclaredAt", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ToSafeJson_FullConfig_UsesSnakeCaseKeysAndWireValues()
    {
        var config = Valid(MinimalWith("strategy: { type: blue-green, drain_timeout: 90s }\nhealth_check: { port: 3000, interval: 1500ms }"));

        var json = config.ToSafeJson();

        Assert.Equal("blue-green", json["strategy"]!["type"]!.GetValue<string>());
        Assert.Equal("5m", json["strategy"]!["keep_previous_for"]!.GetValue<string>());
        Assert.Equal("1m30s", json["strategy"]!["drain_timeout"]!.GetValue<string>());
        Assert.Equal("1s500ms", json["health_check"]!["interval"]!.GetValue<string>());
        Assert.Equal("200-399", json["health_check"]!["expected_status"]!.GetValue<string>());
        Assert.Equal(8080, json["targets"]![0]!["app_port"]!.GetValue<int>());
        Assert.Equal("production", json["environment"]!.GetValue<string>());
        Assert.Equal("GROQ_API_KEY", json["llm"]!["api_key_env"]!.GetValue<string>());
    }
}
