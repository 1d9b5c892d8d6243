namespace DeployMind.Security.Tests.Reports;

/// <summary>Trivy JSON reports in the shape Trivy 0.5x prints with <c>--format json</c>, trimmed to a few entries.</summary>
internal static class TrivyFixtures
{
    /// <summary>The raw secret behind the second secret finding; it must never appear in any output.</summary>
    public const string UnmaskedGithubToken = "ghp_R8vJ2kLmN4pQ7sT1uV3wX5yZ9aB0cD6eF2gH";

    public const string Filesystem = """
        {
          "SchemaVersion": 2,
          "CreatedAt": "2026-11-28T12:01:33.512394Z",
          "ArtifactName": ".",
          "ArtifactType": "filesystem",
          "Metadata": { "ImageConfig": { "architecture": "", "created": "0001-01-01T00:00:00Z", "os": "", "rootfs": { "type": "", "diff_ids": null }, "config": {} } },
          "Trivy": { "Version": "0.58.1" },
          "Results": [
            {
              "Target": "package-lock.json",
              "Class": "lang-pkgs",
              "Type": "npm",
              "Vulnerabilities": [
                {
                  "VulnerabilityID": "CVE-2021-23337",
                  "VendorIDs": [ "GHSA-35jh-r3h4-6jhm" ],
                  "PkgID": "lodash@4.17.15",
                  "PkgName": "lodash",
                  "PkgIdentifier": { "PURL": "pkg:npm/lodash@4.17.15", "UID": "b1f5cd2a9e6a1c3d" },
                  "InstalledVersion": "4.17.15",
                  "FixedVersion": "4.17.21",
                  "Status": "fixed",
                  "Layer": {},
                  "SeveritySource": "ghsa",
                  "PrimaryURL": "https://avd.aquasec.com/nvd/cve-2021-23337",
                  "DataSource": { "ID": "ghsa", "Name": "GitHub Security Advisory npm", "URL": "https://github.com/advisories?query=type%3Areviewed+ecosystem%3Anpm" },
                  "Title": "nodejs-lodash: command injection via template",
                  "Description": "Lodash versions prior to 4.17.21 are vulnerable to Command Injection via the template function.",
                  "Severity": "HIGH",
                  "CweIDs": [ "CWE-94" ],
                  "VendorSeverity": { "ghsa": 3, "nvd": 3 },
                  "CVSS": {
                    "ghsa": { "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "V3Score": 7.2 },
                    "nvd": { "V2Vector": "AV:N/AC:L/Au:S/C:P/I:P/A:P", "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", "V2Score": 6.5, "V3Score": 7.2 }
                  },
                  "References": [ "https://github.com/advisories/GHSA-35jh-r3h4-6jhm" ],
                  "PublishedDate": "2021-02-15T13:15:12.56Z",
                  "LastModifiedDate": "2022-09-13T21:25:02.093Z"
                },
                {
                  "VulnerabilityID": "CVE-2021-44906",
                  "VendorIDs": [ "GHSA-xvch-5gv4-984h" ],
                  "PkgName": "minimist",
                  "InstalledVersion": "1.2.5",
                  "FixedVersion": "1.2.6, 0.2.4",
                  "Status": "fixed",
                  "Title": "minimist: prototype pollution",
                  "Severity": "CRITICAL",
                  "CVSS": { "nvd": { "V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8 } }
                },
                {
                  "VulnerabilityID": "CVE-2024-99999",
                  "PkgName": "left-pad",
                  "InstalledVersion": "1.1.0",
                  "FixedVersion": "",
                  "Status": "affected",
                  "Severity": "SEVERE"
                }
              ]
            },
            {
              "Target": "Dockerfile",
              "Class": "config",
              "Type": "dockerfile",
              "MisconfSummary": { "Successes": 25, "Failures": 3 },
              "Misconfigurations": [
                {
                  "Type": "Dockerfile Security Check",
                  "ID": "DS001",
                  "AVDID": "AVD-DS-0001",
                  "Title": "':latest' tag used",
                  "Description": "When using a 'FROM' statement you should use a specific tag to avoid uncontrolled behavior when the image is updated.",
                  "Message": "Specify a tag in the 'FROM' statement for image 'node'",
                  "Namespace": "builtin.dockerfile.DS001",
                  "Query": "data.builtin.dockerfile.DS001.deny",
                  "Resolution": "Add a tag to the image in the 'FROM' statement",
                  "Severity": "MEDIUM",
                  "PrimaryURL": "https://avd.aquasec.com/misconfig/ds001",
                  "Status": "FAIL",
                  "Layer": {},
                  "CauseMetadata": { "Provider": "Dockerfile", "Service": "general", "StartLine": 1, "EndLine": 1, "Code": { "Lines": [ { "Number": 1, "Content": "FROM node", "IsCause": true } ] } }
                },
                {
                  "Type": "Dockerfile Security Check",
                  "ID": "DS002",
                  "AVDID": "AVD-DS-0002",
                  "Title": "Image user should not be 'root'",
                  "Description": "Running containers with 'root' user can lead to a container escape situation.",
                  "Message": "Specify at least 1 USER command in Dockerfile with non-root user as argument",
                  "Resolution": "Add 'USER <non root user name>' line to the Dockerfile",
                  "Severity": "HIGH",
                  "Status": "FAIL",
                  "CauseMetadata": { "Provider": "Dockerfile", "Service": "general", "Code": { "Lines": null } }
                },
                {
                  "Type": "Dockerfile Security Check",
                  "ID": "DS026",
                  "AVDID": "AVD-DS-0026",
                  "Title": "No HEALTHCHECK defined",
                  "Message": "Add HEALTHCHECK instruction in your Dockerfile",
                  "Resolution": "Add HEALTHCHECK instruction in Dockerfile",
                  "Severity": "LOW",
                  "Status": "FAIL",
                  "CauseMetadata": { "Provider": "Dockerfile", "Service": "general" }
                },
                {
                  "Type": "Dockerfile Security Check",
                  "ID": "DS005",
                  "Title": "ADD instead of COPY",
                  "Message": "",
                  "Severity": "LOW",
                  "Status": "PASS",
                  "CauseMetadata": { "Provider": "Dockerfile", "Service": "general" }
                }
              ]
            },
            {
              "Target": "config/app.env",
              "Class": "secret",
              "Secrets": [
                {
                  "RuleID": "aws-access-key-id",
                  "Category": "AWS",
                  "Severity": "CRITICAL",
                  "Title": "AWS Access Key ID",
                  "StartLine": 2,
                  "EndLine": 2,
                  "Code": { "Lines": [ { "Number": 2, "Content": "AWS_ACCESS_KEY_ID=********************", "IsCause": true } ] },
                  "Match": "AWS_ACCESS_KEY_ID=********************",
                  "Layer": {}
                },
                {
                  "RuleID": "github-pat",
                  "Category": "GitHub",
                  "Severity": "CRITICAL",
                  "Title": "GitHub Personal Access Token",
                  "StartLine": 5,
                  "EndLine": 5,
                  "Match": "GITHUB_TOKEN=ghp_R8vJ2kLmN4pQ7sT1uV3wX5yZ9aB0cD6eF2gH # deploy bot"
                }
              ]
            }
          ]
        }
        """;

    public const string Image = """
        {
          "SchemaVersion": 2,
          "ArtifactName": "registry.local/shop/web:1.4.2",
          "ArtifactType": "container_image",
          "Metadata": { "OS": { "Family": "debian", "Name": "12.5" }, "RepoTags": [ "registry.local/shop/web:1.4.2" ] },
          "Results": [
            {
              "Target": "registry.local/shop/web:1.4.2 (debian 12.5)",
              "Class": "os-pkgs",
              "Type": "debian",
              "Vulnerabilities": [
                {
                  "VulnerabilityID": "CVE-2024-2961",
                  "PkgName": "libc6",
                  "InstalledVersion": "2.36-9+deb12u4",
                  "FixedVersion": "2.36-9+deb12u7",
                  "Status": "fixed",
                  "Title": "glibc: Out of bounds write in iconv may lead to remote code execution",
                  "Severity": "HIGH"
                },
                {
                  "VulnerabilityID": "CVE-2011-3374",
                  "PkgName": "apt",
                  "InstalledVersion": "2.6.1",
                  "Status": "affected",
                  "Title": "It was found that apt-key in apt, all versions, do not correctly validate gpg keys",
                  "Severity": "LOW"
                }
              ]
            }
          ]
        }
        """;
}
