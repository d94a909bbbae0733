using System.Text.RegularExpressions;
using AgentGateway.Contracts.V1;

namespace AgentGateway.Proxy.Pipeline.Guards;

/// <summary>
/// The built-in detectors: a candidate pattern per kind of personal data, confirmed by the kind's own check where
/// it has one (digit counts, Luhn for card numbers, mod 97 for IBANs, the valid ranges of SSNs).
/// </summary>
internal static partial class PiiDetectors
{
    public static string Label(PiiDetector detector) => detector switch
    {
        PiiDetector.Email => "EMAIL",
        PiiDetector.Phone => "PHONE",
        PiiDetector.CreditCard => "CREDIT_CARD",
        PiiDetector.Ssn => "SSN",
        PiiDetector.IpAddress => "IP_ADDRESS",
        PiiDetector.Iban => "IBAN",
        _ => "PII",
    };

    public static string Describe(PiiDetector detector) => detector switch
    {
        PiiDetector.Email => "an e-mail address",
        PiiDetector.Phone => "a phone number",
        PiiDetector.CreditCard => "a payment card number",
        PiiDetector.Ssn => "a social security number",
        PiiDetector.IpAddress => "an IP address",
        PiiDetector.Iban => "an IBAN",
        _ => "personal data",
    };

    /// <summary>Where <paramref name="detector"/> finds its kind of data in <paramref name="text"/>.</summary>
    public static IEnumerable<(int Start, int Length)> Find(PiiDetector detector, string text)
    {
        var (pattern, check) = detector switch
        {
            PiiDetector.Email => (Email(), (Func<string, bool>?)null),
            PiiDetector.Phone => (Phone(), value => Digits(value).Length is >= 9 and <= 15),
            PiiDetector.CreditCard => (Card(), value => Digits(value) is { Length: >= 13 and <= 19 } digits && Luhn(digits)),
            PiiDetector.Ssn => (Ssn(), ValidSsn),
            PiiDetector.IpAddress => (IpV4(), null),
            PiiDetector.Iban => (Iban(), ValidIban),
            _ => (null, null),
        };
        if (pattern is null)
        {
            yield break;
        }

        foreach (Match match in pattern.Matches(text))
        {
            if (check is null || check(match.Value))
            {
                yield return (match.Index, match.Length);
            }
        }
    }

    private static string Digits(string value) => string.Concat(value.Where(char.IsAsciiDigit));

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var index = 0; index < digits.Length; index++)
        {
            var digit = digits[digits.Length - 1 - index] - '0';
            if (index % 2 == 1)
            {
                digit *= 2;
                digit -= digit > 9 ? 9 : 0;
            }

            sum += digit;
        }

        return sum % 10 == 0;
    }

    private static bool ValidSsn(string value)
    {
        var (area, group, serial) = (value[..3], value[4..6], value[7..]);
        return area is not ("000" or "666") && area[0] != '9' && group != "00" && serial != "0000";
    }

    /// <summary>ISO 13616: the country code and check digits moved to the end, letters as numbers, mod 97 is 1.</summary>
    private static bool ValidIban(string value)
    {
        var compact = string.Concat(value.Where(character => character != ' '));
        if (compact.Length is < 15 or > 34)
        {
            return false;
        }

        var remainder = 0;
        foreach (var character in compact[4..] + compact[..4])
        {
            var number = char.IsAsciiDigit(character) ? character - '0' : character - 'A' + 10;
            remainder = (number > 9 ? remainder * 100 + number : remainder * 10 + number) % 97;
        }

        return remainder == 1;
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Email();

    [GeneratedRegex(@"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}(?![\w])", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Phone();

    [GeneratedRegex(@"(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Card();

    [GeneratedRegex(@"(?<!\d)\d{3}-\d{2}-\d{4}(?!\d)", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Ssn();

    [GeneratedRegex(@"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]\d)", RegexOptions.CultureInvariant, 100)]
    private static partial Regex IpV4();

    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b", RegexOptions.CultureInvariant, 100)]
    private static partial Regex Iban();
}
