using System.Text;
using System.Text.Json;
using DeployMind.Proxy.Admin;
using DeployMind.Proxy.AdminApi;

namespace DeployMind.Proxy.Hosting;

/// <summary>The persisted backend set: written (temp file, flush to disk, rename) before a new set takes effect,
/// so a proxy restarted at any moment comes back with the last set it accepted.</summary>
internal sealed class StateFile(string path)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The saved set and generation, or null when the file does not exist yet.</summary>
    public (IReadOnlyList<ProxyBackend> Backends, long Generation)? Load()
    {
        if (!File.Exists(Path))
        {
            return null;
        }
        string text;
        try
        {
            text = File.ReadAllText(Path, Encoding.UTF8);
        }
        catch (IOException ex)
        {
            throw new ProxyConfigurationException($"the state file {Path} cannot be read: {ex.Message}");
        }
        long generation = 0;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("backends", out var backends))
            {
                throw new ProxyConfigurationException($"the state file {Path} has no \"backends\" array; fix or delete it");
            }
            if (doc.RootElement.TryGetProperty("generation", out var g) && g.ValueKind == JsonValueKind.Number)
            {
                generation = g.GetInt64();
            }
            var parsed = BackendSetParser.Parse(backends.GetRawText());
            if (!parsed.IsValid)
            {
                var problems = string.Join("; ", parsed.Errors.SelectMany(kv => kv.Value.Select(m => $"{kv.Key}: {m}")));
                throw new ProxyConfigurationException($"the state file {Path} is invalid: {problems}");
            }
            return (parsed.Backends, generation);
        }
        catch (JsonException ex)
        {
            throw new ProxyConfigurationException($"the state file {Path} is not valid JSON ({ex.Message}); fix or delete it");
        }
    }

    public void Save(IReadOnlyList<ProxyBackend> backends, long generation, DateTimeOffset updatedAt)
    {
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var temp = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Environment.ProcessId}.tmp");
        var json = JsonSerializer.SerializeToUtf8Bytes(new StateFileContent(1, generation, updatedAt, backends), ProxyJsonContext.Indented.StateFileContent);
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(json);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, Path, overwrite: true);
    }
}
