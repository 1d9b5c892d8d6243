using Docker.DotNet.Models;

namespace DeployMind.Build.Docker;

public sealed partial class DockerEngine
{
    /// <summary>
    /// Removes untagged (dangling) images created at or after <paramref name="since"/>: the layers a cancelled or timed-out
    /// build left behind. Returns how many were removed; images still used by a container are kept.
    /// </summary>
    public Task<int> RemoveDanglingImagesSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        CallAsync("remove dangling images", async ct =>
        {
            var images = await _client.Images.ListImagesAsync(new ImagesListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["dangling"] = new Dictionary<string, bool> { ["true"] = true } },
            }, ct);
            var removed = 0;
            foreach (var image in images.Where(i => new DateTimeOffset(DateTime.SpecifyKind(i.Created, DateTimeKind.Utc)) >= since.AddSeconds(-1)))
            {
                try
                {
                    await _client.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = false }, ct);
                    removed++;
                }
                catch (global::Docker.DotNet.DockerApiException)
                {
                    // Still referenced (a running container or a child image): it is not ours to force away.
                }
            }

            return removed;
        }, cancellationToken);

    /// <summary>
    /// Removes those of <paramref name="imageIds"/> that carry no tag: the layers a stopped build committed (the engine
    /// names each one in its output). Tagged images and images still in use are kept. Returns how many were removed.
    /// </summary>
    public Task<int> RemoveUntaggedImagesAsync(IReadOnlyCollection<string> imageIds, CancellationToken cancellationToken) =>
        CallAsync("remove a stopped build's layers", async ct =>
        {
            var removed = 0;
            foreach (var id in imageIds.Reverse())
            {
                try
                {
                    var image = await _client.Images.InspectImageAsync(id, ct);
                    if (image.RepoTags is { Count: > 0 })
                    {
                        continue;
                    }

                    await _client.Images.DeleteImageAsync(image.ID, new ImageDeleteParameters { Force = false }, ct);
                    removed++;
                }
                catch (global::Docker.DotNet.DockerApiException)
                {
                    // Gone already, a cached layer other images build on, or used by a container: not ours to force away.
                }
            }

            return removed;
        }, cancellationToken);
}
