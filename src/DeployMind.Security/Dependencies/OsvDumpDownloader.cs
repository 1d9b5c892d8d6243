using System.Net;
using System.Net.Sockets;
using DeployMind.Domain;

namespace DeployMind.Security.Dependencies;

/// <summary>Where and how `vulndb update` fetches OSV's per-ecosystem dumps.</summary>
public sealed class OsvDumpOptions
{
    /// <summary>OSV's public bucket; a mirror with the same &lt;ECOSYSTEM&gt;/all.zip layout works too.</summary>
    public Uri BaseUrl { get; set; } = new("https://osv-vulnerabilities.storage.googleapis.com/");

    public IList<string> Ecosystems { get; set; } = ["npm", "PyPI", "Go", "crates.io", "RubyGems", "Maven", "NuGet", "Packagist"];

    /// <summary>Per file; the largest dumps are a few hundred MB.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>The dumps could not be fetched; says why and how to load them offline instead.</summary>
public sealed class OsvDownloadException(string message, Exception? inner = null) : DeployMindException(message, inner);

/// <summary>Downloads OSV all.zip dumps to files, for <see cref="VulnerabilityDatabase.ImportAsync"/>.</summary>
public sealed class OsvDumpDownloader(HttpClient http, OsvDumpOptions options)
{
    private const string Offline =
        "To update offline, copy each ecosystem's all.zip from a machine that can reach it and run 'deploymind vulndb import FILE.zip...'";

    public async Task<IReadOnlyList<string>> DownloadAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        foreach (var ecosystem in options.Ecosystems)
        {
            var url = new Uri(options.BaseUrl, $"{Uri.EscapeDataString(ecosystem)}/all.zip");
            var file = Path.Combine(directory, $"{ecosystem}-all.zip");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            try
            {
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new OsvDownloadException($"{url} does not exist (HTTP 404); check the ecosystem name '{ecosystem}' (OSV spells them npm, PyPI, Go, crates.io, ...)");
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw new OsvDownloadException($"{url} answered HTTP {(int)response.StatusCode}; try again later. {Offline}");
                }

                await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
                await using var output = File.Create(file);
                await body.CopyToAsync(output, timeout.Token);
                files.Add(file);
            }
            catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError)
            {
                throw new OsvDownloadException($"cannot reach {url.Host} ({ex.HttpRequestError}): this machine looks offline. {Offline}", ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new OsvDownloadException($"downloading {url} took longer than {options.Timeout.TotalMinutes:0} min. {Offline}", ex);
            }
        }

        return files;
    }
}
