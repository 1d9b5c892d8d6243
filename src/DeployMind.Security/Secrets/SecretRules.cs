using System.Text.Json.Nodes;
using DeployMind.Domain;

namespace DeployMind.Security.Secrets;

/// <summary>
/// The built-in secret rules, specific providers first and generic rules last (a generic match that
/// overlaps a specific one is dropped). Patterns are .NET regexes kept PCRE2-compatible, so the same
/// set can be fed to <c>rg -P</c> through <see cref="ExportJson"/> or <see cref="ExportRipgrepPatterns"/>.
/// </summary>
public static partial class SecretRules
{
    // Assignment of a value to a name: KEY = "value", key: value, key => 'value', key := value.
    private const string Assign = @"[\w.\-]{0,20}?['""]?\s{0,3}(?:=|:|=>|:=|\?=)\s{0,5}['""]?";

    /// <summary>Values that are references or placeholders, never real secrets.</summary>
    private const string Placeholder =
        @"(?i)^(?:\$\{[^}]*\}|\$\(.*\)|\$[A-Za-z_][A-Za-z0-9_]*|%[A-Za-z_()]+%?s?|\{\{.*\}\}|<[^>]*>|\*+|x+|\.+|changeme|change_me|password|passw0rd|secret|example|placeholder|dummy|none|null|undefined|true|false)$";

    public static IReadOnlyList<SecretRule> All { get; } =
    [
        // ---- AWS ----
        Rule("aws-access-key-id", "AWS", "AWS access key ID", Severity.Critical,
            @"\b(?<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b", ["AKIA", "ASIA", "ABIA", "ACCA", "A3T"], allow: ["EXAMPLE$"]),
        Rule("aws-secret-access-key", "AWS", "AWS secret access key", Severity.Critical,
            @"(?i)(?:aws|amazon)[\w.\-]{0,20}?(?:secret|sk)" + Assign + @"(?<secret>(?-i:[A-Za-z0-9/+]{40}))(?![A-Za-z0-9/+=])",
            ["aws", "amazon"], entropy: 3.5, allow: ["EXAMPLEKEY$"]),
        Rule("aws-secret-access-key-near-id", "AWS", "AWS secret access key next to its key ID", Severity.Critical,
            @"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b[\s\S]{1,120}?(?<![A-Za-z0-9/+])(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
            ["AKIA", "ASIA"], entropy: 4.2, allow: ["EXAMPLEKEY$"]),
        Rule("aws-session-token", "AWS", "AWS session token", Severity.High,
            @"(?i)session[_.\-]?token" + Assign + @"(?<secret>(?-i:[A-Za-z0-9/+=]{100,2048}))", ["session_token", "sessiontoken", "session-token"], entropy: 4.0),
        Rule("aws-mws-auth-token", "AWS", "Amazon MWS auth token", Severity.High,
            @"\b(?<secret>amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", ["amzn.mws."]),

        // ---- Azure ----
        Rule("azure-storage-account-key", "Azure", "Azure storage account key", Severity.Critical,
            @"(?i)AccountKey\s*=\s*(?<secret>(?-i:[A-Za-z0-9+/]{86}==))", ["AccountKey"]),
        Rule("azure-ad-client-secret", "Azure", "Azure AD (Entra ID) client secret", Severity.High,
            @"(?<![A-Za-z0-9_~.\-])(?<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.\-]{31,34})(?![A-Za-z0-9_~.\-])", ["Q~"]),
        Rule("azure-sas-token", "Azure", "Azure shared access signature", Severity.High,
            @"(?i)\bsv=[0-9]{4}-[0-9]{2}-[0-9]{2}[^\s'""<>]{0,300}?[?&]sig=(?<secret>[A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})", ["sig="]),
        Rule("azure-shared-access-key", "Azure", "Azure Service Bus / Event Hubs shared access key", Severity.High,
            @"(?i)SharedAccessKey\s*=\s*(?<secret>(?-i:[A-Za-z0-9+/]{42,43}=))", ["SharedAccessKey"]),

        // ---- Google ----
        Rule("gcp-api-key", "Google", "Google API key", Severity.High,
            @"\b(?<secret>AIza[0-9A-Za-z_\-]{35})(?![0-9A-Za-z_\-])", ["AIza"]),
        Rule("gcp-service-account-key", "Google", "Google Cloud service account private key", Severity.Critical,
            @"""private_key""\s*:\s*""-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\n)?(?<secret>[^""]{64,8192}?)(?:\\n)?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?""",
            ["service_account"]),
        Rule("gcp-oauth-client-secret", "Google", "Google OAuth client secret", Severity.High,
            @"\b(?<secret>GOCSPX-[A-Za-z0-9_\-]{28})(?![A-Za-z0-9_\-])", ["GOCSPX-"]),

        // ---- Alibaba ----
        Rule("alibaba-access-key-id", "Alibaba", "Alibaba Cloud AccessKey ID", Severity.High,
            @"\b(?<secret>LTAI[A-Za-z0-9]{20})\b", ["LTAI"]),
        Rule("alibaba-secret-key", "Alibaba", "Alibaba Cloud AccessKey secret", Severity.High,
            @"(?i)(?:alibaba|aliyun)[\w.\-]{0,20}?secret" + Assign + @"(?<secret>(?-i:[A-Za-z0-9]{30}))\b", ["alibaba", "aliyun"], entropy: 3.5),

        // ---- GitHub ----
        Rule("github-pat", "GitHub", "GitHub personal access token", Severity.Critical, @"\b(?<secret>ghp_[A-Za-z0-9]{36})\b", ["ghp_"]),
        Rule("github-fine-grained-pat", "GitHub", "GitHub fine-grained personal access token", Severity.Critical,
            @"\b(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})\b", ["github_pat_"]),
        Rule("github-oauth-token", "GitHub", "GitHub OAuth access token", Severity.Critical, @"\b(?<secret>gho_[A-Za-z0-9]{36})\b", ["gho_"]),
        Rule("github-user-to-server-token", "GitHub", "GitHub App user-to-server token", Severity.High, @"\b(?<secret>ghu_[A-Za-z0-9]{36})\b", ["ghu_"]),
        Rule("github-server-to-server-token", "GitHub", "GitHub App installation token", Severity.High, @"\b(?<secret>ghs_[A-Za-z0-9]{36})\b", ["ghs_"]),
        Rule("github-refresh-token", "GitHub", "GitHub refresh token", Severity.High, @"\b(?<secret>ghr_[A-Za-z0-9]{36})\b", ["ghr_"]),

        // ---- GitLab ----
        Rule("gitlab-pat", "GitLab", "GitLab personal access token", Severity.Critical,
            @"\b(?<secret>glpat-[A-Za-z0-9_\-]{20,64})(?![A-Za-z0-9_\-])", ["glpat-"]),
        Rule("gitlab-pipeline-trigger-token", "GitLab", "GitLab pipeline trigger token", Severity.High,
            @"\b(?<secret>glptt-[0-9a-f]{40})\b", ["glptt-"]),
        Rule("gitlab-runner-registration-token", "GitLab", "GitLab runner registration token", Severity.High,
            @"\b(?<secret>GR1348941[A-Za-z0-9_\-]{20})(?![A-Za-z0-9_\-])", ["GR1348941"]),
        Rule("gitlab-runner-auth-token", "GitLab", "GitLab runner authentication token", Severity.High,
            @"\b(?<secret>glrt-[A-Za-z0-9_\-]{20,64})(?![A-Za-z0-9_\-])", ["glrt-"]),
        Rule("gitlab-deploy-token", "GitLab", "GitLab deploy token", Severity.High,
            @"\b(?<secret>gldt-[A-Za-z0-9_\-]{20,64})(?![A-Za-z0-9_\-])", ["gldt-"]),
        Rule("gitlab-feed-token", "GitLab", "GitLab feed token", Severity.Medium,
            @"\b(?<secret>glft-[A-Za-z0-9_\-]{20,64})(?![A-Za-z0-9_\-])", ["glft-"]),

        // ---- Bitbucket ----
        Rule("bitbucket-client-secret", "Bitbucket", "Bitbucket OAuth client secret", Severity.High,
            @"(?i)bitbucket[\w.\-]{0,20}?secret" + Assign + @"(?<secret>(?-i:[A-Za-z0-9=_\-]{64}))(?![A-Za-z0-9=_\-])", ["bitbucket"], entropy: 3.5),
        Rule("bitbucket-app-password", "Bitbucket", "Bitbucket app password", Severity.High,
            @"\b(?<secret>ATBB[A-Za-z0-9_=.\-]{28,64})(?![A-Za-z0-9_=.\-])", ["ATBB"]),

        // ---- Registries ----
        Rule("pypi-upload-token", "PyPI", "PyPI upload token", Severity.Critical,
            @"(?<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,})", ["pypi-AgEIcHlwaS5vcmc"]),
        Rule("npm-access-token", "npm", "npm access token", Severity.Critical, @"\b(?<secret>npm_[A-Za-z0-9]{36})\b", ["npm_"]),
        Rule("npmrc-auth-token", "npm", "npm registry auth token in .npmrc", Severity.High,
            @"(?i)_auth(?:Token)?\s*=\s*(?<secret>(?-i:[A-Za-z0-9_\-.=+/]{20,512}))", ["_auth"], allow: [Placeholder]),
        Rule("rubygems-api-key", "RubyGems", "RubyGems API key", Severity.Critical, @"\b(?<secret>rubygems_[a-f0-9]{48})\b", ["rubygems_"]),
        Rule("docker-config-auth", "Docker", "Docker registry credentials in config.json auths", Severity.Critical,
            @"""auths""\s*:\s*\{[\s\S]{0,300}?""auth""\s*:\s*""(?<secret>[A-Za-z0-9+/]{8,}={0,2})""", ["\"auths\""], entropy: 3.0),
        Rule("docker-hub-pat", "Docker", "Docker Hub personal access token", Severity.Critical,
            @"\b(?<secret>dckr_pat_[A-Za-z0-9_\-]{27})(?![A-Za-z0-9_\-])", ["dckr_pat_"]),
        Rule("huggingface-access-token", "HuggingFace", "Hugging Face access token", Severity.High, @"\b(?<secret>hf_[A-Za-z]{34})\b", ["hf_"]),
        Rule("huggingface-org-token", "HuggingFace", "Hugging Face organization API token", Severity.High, @"\b(?<secret>api_org_[A-Za-z]{34})\b", ["api_org_"]),

        // ---- Payments ----
        Rule("stripe-secret-key", "Stripe", "Stripe live secret key", Severity.Critical, @"\b(?<secret>sk_live_[A-Za-z0-9]{24,99})\b", ["sk_live_"]),
        Rule("stripe-restricted-key", "Stripe", "Stripe live restricted key", Severity.Critical, @"\b(?<secret>rk_live_[A-Za-z0-9]{24,99})\b", ["rk_live_"]),
        Rule("stripe-webhook-secret", "Stripe", "Stripe webhook signing secret", Severity.High, @"\b(?<secret>whsec_[A-Za-z0-9]{32,64})\b", ["whsec_"]),
        Rule("shopify-access-token", "Shopify", "Shopify access token", Severity.Critical, @"\b(?<secret>shpat_[a-fA-F0-9]{32})\b", ["shpat_"]),
        Rule("shopify-custom-app-token", "Shopify", "Shopify custom app access token", Severity.Critical, @"\b(?<secret>shpca_[a-fA-F0-9]{32})\b", ["shpca_"]),
        Rule("shopify-private-app-token", "Shopify", "Shopify private app access token", Severity.Critical, @"\b(?<secret>shppa_[a-fA-F0-9]{32})\b", ["shppa_"]),
        Rule("shopify-shared-secret", "Shopify", "Shopify shared secret", Severity.High, @"\b(?<secret>shpss_[a-fA-F0-9]{32})\b", ["shpss_"]),

        // ---- Messaging ----
        Rule("slack-bot-token", "Slack", "Slack bot token", Severity.High,
            @"\b(?<secret>xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{20,40})(?![A-Za-z0-9\-])", ["xoxb-"]),
        Rule("slack-user-token", "Slack", "Slack user token", Severity.High,
            @"\b(?<secret>xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9]{28,34})(?![A-Za-z0-9\-])", ["xoxp-", "xoxe-"]),
        Rule("slack-legacy-token", "Slack", "Slack legacy or workspace token", Severity.High,
            @"\b(?<secret>xox[aors]-(?:[0-9]+-){0,4}[A-Za-z0-9]{8,48})(?![A-Za-z0-9\-])", ["xoxa-", "xoxo-", "xoxr-", "xoxs-"]),
        Rule("slack-app-token", "Slack", "Slack app-level token", Severity.High,
            @"(?i)\b(?<secret>xapp-[0-9]-[A-Z0-9]+-[0-9]+-[a-z0-9]+)\b", ["xapp-"]),
        Rule("slack-webhook-url", "Slack", "Slack incoming webhook URL", Severity.High,
            @"(?<secret>https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,56})", ["hooks.slack.com"]),
        Rule("discord-bot-token", "Discord", "Discord bot token", Severity.High,
            @"(?i)discord[\w.\-]{0,20}?(?:token|secret|key)" + Assign + @"(?<secret>(?-i:[MNO][A-Za-z0-9_\-]{23,25}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,38}))", ["discord"]),
        Rule("discord-webhook-url", "Discord", "Discord webhook URL", Severity.High,
            @"(?<secret>https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_\-]{60,68})", ["discord"]),
        Rule("twilio-api-key", "Twilio", "Twilio API key", Severity.High, @"\b(?<secret>SK[0-9a-fA-F]{32})\b", ["twilio"]),
        Rule("twilio-auth-token", "Twilio", "Twilio auth token", Severity.High,
            @"(?i)twilio[\w.\-]{0,20}?(?:auth|token|secret)" + Assign + @"(?<secret>(?-i:[a-f0-9]{32}))\b", ["twilio"], entropy: 3.0),
        Rule("sendgrid-api-key", "SendGrid", "SendGrid API key", Severity.High,
            @"\b(?<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})(?![A-Za-z0-9_\-])", ["SG."]),
        Rule("mailgun-api-key", "Mailgun", "Mailgun private API key", Severity.High, @"\b(?<secret>key-[0-9a-f]{32})\b", ["key-"]),
        Rule("mailgun-webhook-signing-key", "Mailgun", "Mailgun webhook signing key", Severity.Medium,
            @"(?i)mailgun" + Assign + @"(?<secret>(?-i:[a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8}))\b", ["mailgun"]),
        Rule("mailchimp-api-key", "Mailchimp", "Mailchimp API key", Severity.High, @"\b(?<secret>[0-9a-f]{32}-us[0-9]{1,2})\b", ["mailchimp"]),

        // ---- Infrastructure ----
        Rule("heroku-api-key", "Heroku", "Heroku API key", Severity.High,
            @"(?i)heroku[\w.\-]{0,20}?(?:key|token|secret|api)" + Assign + @"(?<secret>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b", ["heroku"]),
        Rule("heroku-api-key-v2", "Heroku", "Heroku platform API key", Severity.High,
            @"\b(?<secret>HRKU-AA[0-9A-Za-z_\-]{58})(?![0-9A-Za-z_\-])", ["HRKU-"]),
        Rule("vault-service-token", "HashiCorp", "HashiCorp Vault service token", Severity.Critical,
            @"\b(?<secret>hvs\.[A-Za-z0-9_\-]{90,120})(?![A-Za-z0-9_\-])", ["hvs."]),
        Rule("vault-batch-token", "HashiCorp", "HashiCorp Vault batch token", Severity.Critical,
            @"\b(?<secret>hvb\.[A-Za-z0-9_\-]{138,300})(?![A-Za-z0-9_\-])", ["hvb."]),
        Rule("terraform-cloud-token", "HashiCorp", "Terraform Cloud / Enterprise API token", Severity.Critical,
            @"\b(?<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=\-]{60,70})(?![A-Za-z0-9_=\-])", ["atlasv1"]),
        Rule("pulumi-access-token", "Pulumi", "Pulumi access token", Severity.High, @"\b(?<secret>pul-[a-f0-9]{40})\b", ["pul-"]),
        Rule("doppler-personal-token", "Doppler", "Doppler personal token", Severity.High, @"\b(?<secret>dp\.pt\.[A-Za-z0-9]{43})\b", ["dp.pt."]),
        Rule("doppler-service-token", "Doppler", "Doppler service token", Severity.High,
            @"\b(?<secret>dp\.st\.(?:[a-z0-9_\-]{2,35}\.)?[A-Za-z0-9]{40,44})\b", ["dp.st."]),
        Rule("databricks-token", "Databricks", "Databricks personal access token", Severity.High, @"\b(?<secret>dapi[a-f0-9]{32}(?:-[0-9])?)\b", ["dapi"]),
        Rule("grafana-api-key", "Grafana", "Grafana API key", Severity.High, @"\b(?<secret>eyJrIjoi[A-Za-z0-9]{70,400}={0,2})", ["eyJrIjoi"]),
        Rule("grafana-cloud-token", "Grafana", "Grafana Cloud API token", Severity.High, @"\b(?<secret>glc_[A-Za-z0-9+/]{32,400}={0,2})", ["glc_"]),
        Rule("grafana-service-account-token", "Grafana", "Grafana service account token", Severity.High,
            @"\b(?<secret>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b", ["glsa_"]),
        Rule("new-relic-user-api-key", "NewRelic", "New Relic user API key", Severity.High, @"\b(?<secret>NRAK-[A-Z0-9]{27})\b", ["NRAK-"]),
        Rule("new-relic-insert-key", "NewRelic", "New Relic insert key", Severity.High, @"\b(?<secret>NRII-[A-Za-z0-9\-]{32})(?![A-Za-z0-9\-])", ["NRII-"]),
        Rule("new-relic-browser-api-token", "NewRelic", "New Relic browser API token", Severity.Medium, @"\b(?<secret>NRJS-[a-f0-9]{19})\b", ["NRJS-"]),
        Rule("dynatrace-api-token", "Dynatrace", "Dynatrace API token", Severity.High, @"\b(?<secret>dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b", ["dt0c01."]),

        // ---- AI ----
        Rule("openai-api-key", "OpenAI", "OpenAI API key", Severity.Critical,
            @"\b(?<secret>sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,74}T3BlbkFJ[A-Za-z0-9_\-]{20,74})(?![A-Za-z0-9_\-])", ["T3BlbkFJ"]),
        Rule("openai-project-key", "OpenAI", "OpenAI project or service account key", Severity.Critical,
            @"\b(?<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{80,200})(?![A-Za-z0-9_\-])", ["sk-proj-", "sk-svcacct-", "sk-admin-"], entropy: 4.0),
        Rule("groq-api-key", "Groq", "Groq API key", Severity.Critical, @"\b(?<secret>gsk_[A-Za-z0-9]{52})\b", ["gsk_"]),
        Rule("anthropic-api-key", "Anthropic", "Anthropic API key", Severity.Critical,
            @"\b(?<secret>sk-ant-api03-[A-Za-z0-9_\-]{93}AA)(?![A-Za-z0-9_\-])", ["sk-ant-api03-"]),
        Rule("anthropic-admin-key", "Anthropic", "Anthropic admin API key", Severity.Critical,
            @"\b(?<secret>sk-ant-admin01-[A-Za-z0-9_\-]{93}AA)(?![A-Za-z0-9_\-])", ["sk-ant-admin01-"]),

        // ---- Generic ----
        Rule("private-key", "PrivateKey", "Private key", Severity.Critical,
            @"-----BEGIN[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:\\n|\s)*(?<secret>[^-\s\\][\s\S]{63,16384}?)(?:\\n|\s)*-----END[ A-Z0-9_\-]{0,100}PRIVATE KEY(?: BLOCK)?-----",
            ["PRIVATE KEY"]),
        Rule("age-secret-key", "Age", "age encryption secret key", Severity.Critical,
            @"\b(?<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b", ["AGE-SECRET-KEY-1"]),
        Rule("jwt", "JWT", "JSON Web Token", Severity.Medium,
            @"\b(?<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})(?![A-Za-z0-9_\-])", ["eyJ"]),
        Rule("connection-string-url", "ConnectionString", "Connection string with a password", Severity.High,
            @"(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|s?ftp|ldaps?|smtps?)://[^:/\s'""@]{1,64}:(?<secret>[^@/\s'""]{3,128})@[^\s'""/:]+",
            ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "ftp", "ldap", "smtp"], allow: [Placeholder], generic: true),
        Rule("connection-string-password", "ConnectionString", "ADO.NET / JDBC-style connection string with a password", Severity.High,
            @"(?i)(?:Server|Data Source|Host|Address|Addr)\s*=[^;""'\n]{1,200};(?:[^;""'\n]{0,200};){0,10}?\s*(?:Password|Pwd)\s*=\s*(?<secret>[^;""'\n\s]{3,128})",
            ["password", "pwd"], allow: [Placeholder], generic: true),
        Rule("generic-api-key", "Generic", "Generic API key or secret", Severity.High,
            @"(?i)(?<!publickey)(?:api[_.\-]?key|apikey|secret|token|access[_.\-]?key|auth[_.\-]?key|client[_.\-]?secret|private[_.\-]?key)[\w.\-]{0,20}?['""]?\s{0,3}(?:=|:|=>|:=|\?=)\s{0,5}(?<q>['""]?)(?<secret>[A-Za-z0-9_\-+/=.~]{16,128})\k<q>(?![A-Za-z0-9_\-+/=.~])",
            ["key", "secret", "token"], entropy: 3.5, allow: [Placeholder, "^[^0-9]*$", @"(?i)example|placeholder|changeme|dummy|x{5,}|\*{3}"], generic: true),
        Rule("generic-password", "Generic", "Hard-coded password", Severity.High,
            @"(?i)(?:password|passwd|passwrd|pwd|pass)[\w.\-]{0,20}?['""]?\s{0,3}(?:=|:|=>|:=)\s{0,5}(?<q>['""])(?<secret>[^'""\s]{8,64})\k<q>",
            ["pass", "pwd"], entropy: 3.0, allow: [Placeholder, @"(?i)example|placeholder|changeme|dummy|x{5,}|\*{3}|^\$|^%|^\{\{|^<"], generic: true),
    ];

    public static SecretRule? Find(string id) => All.FirstOrDefault(r => r.Id == id);

    /// <summary>The rules as JSON (id, category, severity, pattern, keywords) for benchmarks and other tools.</summary>
    public static JsonArray ExportJson(IReadOnlyList<SecretRule>? rules = null)
    {
        var array = new JsonArray();
        foreach (var rule in rules ?? All)
        {
            array.Add(new JsonObject
            {
                ["id"] = rule.Id,
                ["category"] = rule.Category,
                ["severity"] = rule.Severity.ToWire(),
                ["pattern"] = rule.Pattern,
                ["keywords"] = new JsonArray([.. rule.Keywords.Select(k => (JsonNode)JsonValue.Create(k))]),
            });
        }

        return array;
    }

    /// <summary>One pattern per line, for <c>rg -P -f FILE</c> (PCRE2 understands the named groups and look-arounds).</summary>
    public static string ExportRipgrepPatterns(IReadOnlyList<SecretRule>? rules = null, bool pcre2 = true) =>
        string.Join('\n', RipgrepPatterns(rules ?? All, pcre2)) + "\n";

    /// <summary>
    /// One pattern per rule, loadable with <c>rg -f</c>: rg joins the lines with a bare '|', so each is wrapped in a group
    /// (else a leading <c>(?i)</c> would leak into the rules after it), and each named group gets the rule's index as a
    /// suffix (PCRE2 rejects a name used twice, and every rule names its group <c>secret</c>). rg's default engine spells
    /// named groups <c>(?P&lt;name&gt;...)</c>; rules using look-around or back-references compile only with <c>-P</c>.
    /// </summary>
    public static IReadOnlyList<string> RipgrepPatterns(IReadOnlyList<SecretRule> rules, bool pcre2) =>
        [.. rules.Select((rule, i) => "(?:" + GroupName().Replace(rule.Pattern, m =>
            (pcre2 ? m.Groups["open"].Value : m.Groups["open"].Value.Replace("(?<", "(?P<", StringComparison.Ordinal))
            + m.Groups["name"].Value + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ">") + ")")];

    [System.Text.RegularExpressions.GeneratedRegex(@"(?<open>\(\?<|\\k<)(?<name>[A-Za-z_][A-Za-z0-9_]*)>")]
    private static partial System.Text.RegularExpressions.Regex GroupName();

    private static SecretRule Rule(
        string id, string category, string title, Severity severity, string pattern, string[] keywords,
        double entropy = 0, string[]? allow = null, bool generic = false) => new()
        {
            Id = id,
            Category = category,
            Title = title,
            Severity = severity,
            Pattern = pattern,
            Keywords = keywords,
            MinEntropy = entropy,
            AllowPatterns = allow ?? [],
            IsGeneric = generic,
        };
}
