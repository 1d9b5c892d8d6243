using DeployMind.Pipeline.Processes;
using DeployMind.Pipeline.Source;
using Microsoft.Extensions.Options;

namespace DeployMind.Pipeline.Tests.Source;

public sealed class GitRemoteProbeTests
{
    private static GitRemoteProbe Probe() => new(new ProcessRunner(), Options.Create(new GitOptions()));

    [Fact]
    public async Task ResolveBranchHeadAsync_ExistingBranch_ReturnsItsFullSha()
    {
        using var repository = await TestRepository.CreateAsync();
        await repository.CommitAsync("one");
        await repository.GitAsync("checkout", "-q", "-b", "dev");
        var dev = await repository.CommitAsync("two");
        await repository.GitAsync("checkout", "-q", "main");

        Assert.Equal(dev, await Probe().ResolveBranchHeadAsync(repository.FileUrl, "dev", CancellationToken.None));
        Assert.Equal(await repository.RevParseAsync("main"),
            await Probe().ResolveBranchHeadAsync(repository.Path, "main", CancellationToken.None));
        Assert.Equal("main", await Probe().ResolveDefaultBranchAsync(repository.FileUrl, CancellationToken.None));
    }

    [Fact]
    public async Task ResolveBranchHeadAsync_MissingBranch_ThrowsUnknownRevision()
    {
        using var repository = await TestRepository.CreateAsync();
        await repository.CommitAsync("one");

        var error = await Assert.ThrowsAsync<UnknownRevisionException>(
            () => Probe().ResolveBranchHeadAsync(repository.FileUrl, "nope", CancellationToken.None));

        Assert.Contains("branch 'nope' was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveDefaultBranchAsync_EmptyRepository_ReturnsNull()
    {
        using var repository = await TestRepository.CreateAsync(bare: true);

        Assert.Null(await Probe().ResolveDefaultBranchAsync(repository.FileUrl, CancellationToken.None));
    }
}
