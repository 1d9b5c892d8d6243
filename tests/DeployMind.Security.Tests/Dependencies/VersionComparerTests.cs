using DeployMind.Security.Dependencies;
using DeployMind.Security.Dependencies.Versions;

namespace DeployMind.Security.Tests.Dependencies;

public sealed class VersionComparerTests
{
    private static void AssertAscending(IVersionComparer comparer, params string[] versions)
    {
        for (var i = 0; i + 1 < versions.Length; i++)
        {
            var lower = comparer.Parse(versions[i]);
            var higher = comparer.Parse(versions[i + 1]);
            Assert.True(lower.CompareTo(higher) < 0, $"expected {versions[i]} < {versions[i + 1]}");
            Assert.True(higher.CompareTo(lower) > 0, $"expected {versions[i + 1]} > {versions[i]}");
        }
    }

    private static void AssertEqual(IVersionComparer comparer, string a, string b) =>
        Assert.True(comparer.Parse(a).CompareTo(comparer.Parse(b)) == 0, $"expected {a} == {b}");

    [Fact]
    public void SemVer_PrereleaseIdentifiers_OrderAsSpecified()
    {
        AssertAscending(VersionComparers.SemVer,
            "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.10.0", "2.0.0");
    }

    [Fact]
    public void SemVer_BuildMetadata_IsIgnored()
    {
        AssertEqual(VersionComparers.SemVer, "1.0.0+build.5", "1.0.0");
        AssertEqual(VersionComparers.SemVer, "1.0.0-beta+exp.sha.5114f85", "1.0.0-beta");
    }

    [Fact]
    public void SemVer_MissingMinorOrPatch_PadsWithZero()
    {
        AssertEqual(VersionComparers.SemVer, "1.0", "1.0.0");
        AssertAscending(VersionComparers.SemVer, "0.0.0-0", "0.0.0", "1.0", "3.0.0-beta.9", "3.1.1");
    }

    [Fact]
    public void Go_PseudoVersionsAndIncompatible_OrderByTimestamp()
    {
        AssertAscending(VersionComparers.Go,
            "v0.0.0-20190308221718-c2843e01d9a2", "v0.0.0-20200220183623-bac4c82f6975", "0.1.1-0.20221104162952-702349b0e862", "v0.1.1", "v0.17.0");
        AssertAscending(VersionComparers.Go, "1.3.1-0.20190301021747-ccb9e902956d", "v1.4.0", "v1.5.0", "1.9.1");
        AssertEqual(VersionComparers.Go, "v3.1.0+incompatible", "3.1.0");
        AssertAscending(VersionComparers.Go, "v3.0.0-20210107192922-496545a6307b", "3.0.0-20220521103104-8f96da9f5d5e", "v3.0.0");
    }

    [Fact]
    public void Pep440_PreDevPost_OrderAsPackaging()
    {
        AssertAscending(VersionComparers.Pep440,
            "1.0.dev1", "1.0a1", "1.0a2.dev1", "1.0a2", "1.0b1", "1.0rc1", "1.0", "1.0+local.1", "1.0.post1.dev1", "1.0.post1", "1.1");
    }

    [Fact]
    public void Pep440_EpochAndLocal_OrderAboveRelease()
    {
        AssertAscending(VersionComparers.Pep440, "2.0", "1!0.1");
        AssertAscending(VersionComparers.Pep440, "1.0", "1.0+abc", "1.0+abc.5", "1.0+5");
    }

    [Fact]
    public void Pep440_NonNormalizedSpellings_NormalizeAsPep440()
    {
        AssertEqual(VersionComparers.Pep440, "1.0RC1", "1.0rc1");
        AssertEqual(VersionComparers.Pep440, "1.0.beta", "1.0b0");
        AssertEqual(VersionComparers.Pep440, "1.1alpha", "1.1a0");
        AssertEqual(VersionComparers.Pep440, "2.0alpha1", "2.0a1");
        AssertEqual(VersionComparers.Pep440, "1.0-1", "1.0.post1");
        AssertEqual(VersionComparers.Pep440, "1.0.0", "1");
        AssertAscending(VersionComparers.Pep440, "18.6b4", "24.3.0");
    }

    [Fact]
    public void RubyGems_LetterSegments_ArePrereleases()
    {
        AssertAscending(VersionComparers.RubyGems, "1.1.0.rc.1", "1.1.0", "2.2", "2.2.3", "2.2.3.1", "7.0.2.2", "7.0.4.1");
        AssertAscending(VersionComparers.RubyGems, "2.0.0.alpha1", "2.0.0.beta", "2.0.0");
        AssertEqual(VersionComparers.RubyGems, "2.2", "2.2.0");
    }

    [Fact]
    public void Maven_Qualifiers_OrderAsComparableVersion()
    {
        AssertAscending(VersionComparers.Maven,
            "1.0-alpha-1", "1.0-beta-1", "1.0-milestone-1", "1.0-rc-1", "1.0-SNAPSHOT", "1.0", "1.0-sp-1", "1.0.1");
        AssertEqual(VersionComparers.Maven, "1.0.0.Final", "1.0");
        AssertEqual(VersionComparers.Maven, "1.0-ga", "1");
        AssertEqual(VersionComparers.Maven, "1.0-cr1", "1.0-rc-1");
        AssertAscending(VersionComparers.Maven, "1a1", "1b1", "1");
        AssertAscending(VersionComparers.Maven, "2.3.1", "2.4", "2.12.2", "2.13.0", "2.14.0", "2.15.0");
        AssertAscending(VersionComparers.Maven, "4.1.9", "4.1.42.Final");
    }

    [Fact]
    public void NuGet_FourPartsAndCaseInsensitivePrerelease_Order()
    {
        AssertAscending(VersionComparers.NuGet, "12.0.3", "13.0.1", "13.0.1.1", "13.0.3");
        AssertEqual(VersionComparers.NuGet, "1.0.0-BETA", "1.0.0-beta");
        AssertAscending(VersionComparers.NuGet, "1.0.0-alpha", "1.0.0-Beta", "1.0.0");
    }

    [Fact]
    public void Composer_StabilitySuffixes_Order()
    {
        AssertAscending(VersionComparers.Composer,
            "1.0.0-dev", "1.0.0-alpha1", "1.0.0-beta2", "1.0.0-RC1", "1.0.0", "1.0.0-patch1", "1.0.1", "v7.4.5");
        AssertEqual(VersionComparers.Composer, "v7.4.4", "7.4.4");
        AssertEqual(VersionComparers.Composer, "2.0.0-alpha4", "2.0.0-a4");
    }

    [Theory]
    [InlineData("PyPI", "PyYAML", "pyyaml")]
    [InlineData("PyPI", "zope.interface", "zope-interface")]
    [InlineData("PyPI", "Foo__Bar-.baz", "foo-bar-baz")]
    [InlineData("NuGet", "Newtonsoft.Json", "newtonsoft.json")]
    [InlineData("npm", "JSONStream", "JSONStream")]
    public void NormalizeName_PerEcosystem_FoldsAsTheEcosystemDoes(string ecosystem, string name, string expected) =>
        Assert.Equal(expected, Ecosystems.NormalizeName(ecosystem, name));
}
