using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace DeployMind.Security.Dependencies.Lockfiles;

/// <summary>
/// Maven <c>pom.xml</c>: the versions declared for direct dependencies, with <c>${property}</c> interpolation and
/// <c>dependencyManagement</c> fallback. Version ranges and unresolved properties are reported as not checkable;
/// no transitive resolution (that needs the registry).
/// </summary>
public sealed partial class MavenPomParser : ILockfileParser
{
    public string Format => "pom.xml";

    public string Ecosystem => Ecosystems.Maven;

    public bool Matches(string fileName) => fileName == "pom.xml";

    public LockfileParseResult Parse(string fullPath, string displayPath)
    {
        XDocument document;
        using (var reader = XmlReader.Create(fullPath, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null }))
        {
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }

        var project = document.Root ?? throw new LockfileFormatException("pom.xml has no root element", 1);
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in Child(project, "properties")?.Elements() ?? [])
        {
            properties[property.Name.LocalName] = property.Value.Trim();
        }

        var parent = Child(project, "parent");
        AddProperty("project.version", Text(project, "version") ?? (parent is null ? null : Text(parent, "version")));
        AddProperty("project.groupId", Text(project, "groupId") ?? (parent is null ? null : Text(parent, "groupId")));
        AddProperty("project.artifactId", Text(project, "artifactId"));
        if (parent is not null)
        {
            AddProperty("project.parent.version", Text(parent, "version"));
        }

        var managed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dependency in Child(Child(project, "dependencyManagement"), "dependencies")?.Elements().Where(e => e.Name.LocalName == "dependency") ?? [])
        {
            if (Text(dependency, "version") is { } version)
            {
                managed[$"{Interpolate(Text(dependency, "groupId"))}:{Interpolate(Text(dependency, "artifactId"))}"] = version;
            }
        }

        var dependencies = new List<Dependency>();
        var problems = new List<ScanProblem>();
        foreach (var dependency in Child(project, "dependencies")?.Elements().Where(e => e.Name.LocalName == "dependency") ?? [])
        {
            var line = ((IXmlLineInfo)dependency).HasLineInfo() ? ((IXmlLineInfo)dependency).LineNumber : (int?)null;
            var name = $"{Interpolate(Text(dependency, "groupId"))}:{Interpolate(Text(dependency, "artifactId"))}";
            var declared = Text(dependency, "version") ?? managed.GetValueOrDefault(name);
            var version = Interpolate(declared);
            if (version is null || version.Contains("${", StringComparison.Ordinal) || version.IndexOfAny(['[', '(', ',']) >= 0)
            {
                var why = declared is null ? "declares no version" : $"has version '{version}' that is a range or an unresolved property";
                problems.Add(new ScanProblem(displayPath, line, $"not checkable: {name} {why}"));
                continue;
            }

            dependencies.Add(new Dependency
            {
                Ecosystem = Ecosystems.Maven,
                Name = name,
                Version = version,
                FilePath = displayPath,
                Line = line,
                IsDev = Text(dependency, "scope") == "test",
                DependencyPath = [name],
            });
        }

        return LockfileParseResult.Of(dependencies, problems);

        void AddProperty(string key, string? value)
        {
            if (value is not null)
            {
                properties.TryAdd(key, value);
            }
        }

        string? Interpolate(string? value)
        {
            for (var depth = 0; value is not null && depth < 10 && value.Contains("${", StringComparison.Ordinal); depth++)
            {
                value = Property().Replace(value, m => properties.TryGetValue(m.Groups[1].Value, out var v) ? v : m.Value);
            }

            return value;
        }
    }

    private static XElement? Child(XElement? element, string localName) =>
        element?.Elements().FirstOrDefault(e => e.Name.LocalName == localName);

    private static string? Text(XElement element, string localName) => Child(element, localName)?.Value.Trim() is { Length: > 0 } v ? v : null;

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex Property();
}
