using DeployMind.Persistence;
using DeployMind.Persistence.PostgreSql;
using DeployMind.Persistence.Retention;
using DeployMind.Persistence.Sqlite;
using DeployMind.Llm;
using DeployMind.Pipeline;
using DeployMind.Security.Agent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DeployMind.Cli;

/// <summary>What a command runs with: its output streams, the environment, and the services built from them.</summary>
public sealed class CliContext
{
    public CliContext(TextWriter output, TextWriter error, IReadOnlyDictionary<string, string?> environment, TimeProvider? clock = null)
    {
        Output = output;
        Error = error;
        Environment = environment;
        Clock = clock ?? TimeProvider.System;
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public IReadOnlyDictionary<string, string?> Environment { get; }

    public TimeProvider Clock { get; }

    /// <summary>Standard input for commands that read it (secrets, .env from '-'); null means the console's.</summary>
    public TextReader? Input { get; init; }

    public static IReadOnlyDictionary<string, string?> ProcessEnvironment() =>
        System.Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value, StringComparer.Ordinal);

    public string? Variable(string name) =>
        Environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    /// <summary>The local OSV advisory store: DEPLOYMIND_VULNDB, or vulndb.sqlite in the data directory.</summary>
    public string VulnerabilityDatabasePath(string? dataDirectory) =>
        Variable("DEPLOYMIND_VULNDB") is { } path
            ? Path.GetFullPath(path)
            : Path.Combine(new DatabaseOptions { DataDirectory = dataDirectory ?? Variable(DatabaseOptions.DataDirectoryVariable) }.ResolveDataDirectory(), "vulndb.sqlite");

    /// <summary>Builds the services for one command; the database option wins over DEPLOYMIND_DATABASE_URL.</summary>
    public ServiceProvider BuildServices(string? databaseUrl, string? dataDirectory, Action<IServiceCollection>? configure = null)
    {
        var retention = RetentionSettings.FromEnvironment(this);
        var services = new ServiceCollection();
        services.AddSingleton(Clock);
        services.AddDeployMindSqlite();
        services.AddDeployMindPostgreSql();
        services.AddDeployMindPersistence(options =>
        {
            options.Url = databaseUrl ?? Variable(DatabaseOptions.UrlVariable);
            options.DataDirectory = dataDirectory ?? Variable(DatabaseOptions.DataDirectoryVariable);
        });
        services.Configure<RetentionOptions>(retention.Apply);
        services.AddDeployMindSourceStage();
        services.AddDeployMindSecurityStage(o => o.VulnerabilityDatabasePath = VulnerabilityDatabasePath(dataDirectory));
        services.AddDeployMindLlm(ConfigureLlm);
        // Diagnostics go to stderr only when asked for; the command's own output is the user interface.
        services.AddLogging(logging =>
        {
            if (Variable("DEPLOYMIND_DEBUG") == "1")
            {
                logging.AddConsole(console => console.LogToStandardErrorThreshold = Microsoft.Extensions.Logging.LogLevel.Trace);
            }
        });
        configure?.Invoke(services);
        return services.BuildServiceProvider();
    }

    /// <summary>LLM settings from DEPLOYMIND_LLM_PROVIDER / _MODEL / _BASE_URL / _API_KEY_ENV; without a key the rules answer.</summary>
    private void ConfigureLlm(LlmOptions options)
    {
        if (Variable("DEPLOYMIND_LLM_PROVIDER") is { } provider)
        {
            options.Provider = Enum.TryParse<LlmProvider>(provider.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var kind)
                ? kind
                : throw new Domain.InvalidInputException("DEPLOYMIND_LLM_PROVIDER",
                    $"DEPLOYMIND_LLM_PROVIDER '{provider}' is not known; use groq, openai, ollama or custom");
        }

        options.Model = Variable("DEPLOYMIND_LLM_MODEL") ?? options.Model;
        options.BaseUrl = Variable("DEPLOYMIND_LLM_BASE_URL") ?? options.BaseUrl;
        options.ApiKeyEnvironmentVariable = Variable("DEPLOYMIND_LLM_API_KEY_ENV") ?? options.ApiKeyEnvironmentVariable;
    }
}
