using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace AgentGateway.Contracts.Json;

/// <summary>
/// Reads and writes the resource messages as the JSON that people write: proto3 JSON field names (camelCase), enum
/// values by their short lower-case names (<c>fail-open</c> for <c>FAILURE_MODE_FAIL_OPEN</c>), timestamps in RFC 3339,
/// and every mistake reported with the path of the field at fault. The REST API's policy specs and the standalone
/// file's policies are this JSON, so a new field of a message is at once configurable in both.
/// </summary>
public static class ProtoJson
{
    /// <summary>Reads <paramref name="json"/> as a <typeparamref name="T"/>; mistakes are added to <paramref name="errors"/>.</summary>
    public static T Parse<T>(JsonElement json, string path, List<ConfigError> errors)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(errors);
        var message = new T();
        ReadMessage(message, json, path, errors);
        return message;
    }

    /// <summary>Reads a JSON text as a <typeparamref name="T"/>.</summary>
    public static T Parse<T>(string json, string path, List<ConfigError> errors)
        where T : IMessage<T>, new()
    {
        ArgumentNullException.ThrowIfNull(errors);
        try
        {
            using var document = JsonDocument.Parse(json);
            return Parse<T>(document.RootElement, path, errors);
        }
        catch (JsonException exception)
        {
            errors.Add(new ConfigError(path, $"is not valid JSON: {exception.Message}"));
            return new T();
        }
    }

    /// <summary>Reads a JSON node as a <typeparamref name="T"/> (null reads as the empty message).</summary>
    public static T Parse<T>(JsonNode? json, string path, List<ConfigError> errors)
        where T : IMessage<T>, new() =>
        json is null ? new T() : Parse<T>(JsonSerializer.SerializeToElement(json), path, errors);

    /// <summary>Writes <paramref name="message"/> as JSON, leaving out every field that has its default value.</summary>
    public static JsonObject Format(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var json = new JsonObject();
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsMap)
            {
                var map = (IDictionary)value;
                if (map.Count > 0)
                {
                    var entries = new JsonObject();
                    var valueField = field.MessageType.FindFieldByNumber(2);
                    foreach (DictionaryEntry entry in map)
                    {
                        entries[Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!] = FormatValue(valueField, entry.Value);
                    }

                    json[field.JsonName] = entries;
                }
            }
            else if (field.IsRepeated)
            {
                var list = (IList)value;
                if (list.Count > 0)
                {
                    json[field.JsonName] = new JsonArray([.. list.Cast<object>().Select(item => FormatValue(field, item))]);
                }
            }
            else if (IsSet(message, field, value))
            {
                json[field.JsonName] = FormatValue(field, value);
            }
        }

        return json;
    }

    /// <summary>The short name of an enum value: <c>FAILURE_MODE_FAIL_OPEN</c> of enum <c>FailureMode</c> is <c>fail-open</c>.</summary>
    public static string EnumName(EnumValueDescriptor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var prefix = UpperSnake(value.EnumDescriptor.Name) + "_";
        var name = value.Name.StartsWith(prefix, StringComparison.Ordinal) ? value.Name[prefix.Length..] : value.Name;
        return name.ToLowerInvariant().Replace('_', '-');
    }

    private static bool IsSet(IMessage message, FieldDescriptor field, object? value)
    {
        if (field.ContainingOneof is { } oneof && !oneof.IsSynthetic)
        {
            return oneof.Accessor.GetCaseFieldDescriptor(message)?.FieldNumber == field.FieldNumber;
        }

        return value switch
        {
            null => false,
            IMessage => true,
            string text => text.Length > 0,
            ByteString bytes => bytes.Length > 0,
            bool flag => flag,
            System.Enum enumValue => Convert.ToInt32(enumValue, CultureInfo.InvariantCulture) != 0,
            IConvertible number => Convert.ToDouble(number, CultureInfo.InvariantCulture) != 0,
            _ => true,
        };
    }

    private static JsonNode? FormatValue(FieldDescriptor field, object? value) => field.FieldType switch
    {
        FieldType.Message when value is Timestamp timestamp => JsonValue.Create(timestamp.ToDateTimeOffset().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)),
        FieldType.Message => value is IMessage nested ? Format(nested) : null,
        FieldType.Enum => JsonValue.Create(field.EnumType.FindValueByNumber(Convert.ToInt32(value, CultureInfo.InvariantCulture)) is { } known
            ? EnumName(known)
            : Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)),
        FieldType.Bytes => JsonValue.Create(((ByteString)value!).ToBase64()),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64 =>
            JsonValue.Create(Convert.ToString(value, CultureInfo.InvariantCulture)),
        _ => JsonSerializer.SerializeToNode(value),
    };

    private static void ReadMessage(IMessage message, JsonElement json, string path, List<ConfigError> errors)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ConfigError(path, "must be an object"));
            return;
        }

        var descriptor = message.Descriptor;
        var setOneofs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            var fieldPath = Join(path, property.Name);
            var field = descriptor.FindFieldByName(property.Name) is { } byName && byName.JsonName == property.Name
                ? byName
                : descriptor.Fields.InDeclarationOrder().FirstOrDefault(candidate => candidate.JsonName == property.Name);
            if (field is null)
            {
                var known = string.Join(", ", descriptor.Fields.InDeclarationOrder().Select(candidate => candidate.JsonName));
                errors.Add(new ConfigError(fieldPath, $"is not a known field (known: {known})"));
                continue;
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (field.ContainingOneof is { IsSynthetic: false } oneof)
            {
                if (setOneofs.TryGetValue(oneof.Name, out var other))
                {
                    errors.Add(new ConfigError(fieldPath, $"cannot be set together with {other}; give only one"));
                    continue;
                }

                setOneofs[oneof.Name] = property.Name;
            }

            if (field.IsMap)
            {
                ReadMap(message, field, property.Value, fieldPath, errors);
            }
            else if (field.IsRepeated)
            {
                if (property.Value.ValueKind != JsonValueKind.Array)
                {
                    errors.Add(new ConfigError(fieldPath, "must be a list"));
                    continue;
                }

                var list = (IList)field.Accessor.GetValue(message);
                var index = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (ReadValue(field, item, $"{fieldPath}[{index}]", errors) is { } value)
                    {
                        list.Add(value);
                    }

                    index++;
                }
            }
            else if (ReadValue(field, property.Value, fieldPath, errors) is { } value)
            {
                field.Accessor.SetValue(message, value);
            }
        }
    }

    private static void ReadMap(IMessage message, FieldDescriptor field, JsonElement json, string path, List<ConfigError> errors)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ConfigError(path, "must be an object of names and values"));
            return;
        }

        var map = (IDictionary)field.Accessor.GetValue(message);
        var keyField = field.MessageType.FindFieldByNumber(1);
        var valueField = field.MessageType.FindFieldByNumber(2);
        foreach (var entry in json.EnumerateObject())
        {
            object key = keyField.FieldType == FieldType.String ? entry.Name : ReadScalarFromString(keyField, entry.Name);
            if (ReadValue(valueField, entry.Value, Join(path, entry.Name), errors) is { } value)
            {
                map[key] = value;
            }
        }
    }

    private static object? ReadValue(FieldDescriptor field, JsonElement json, string path, List<ConfigError> errors)
    {
        try
        {
            switch (field.FieldType)
            {
                case FieldType.Message when field.MessageType.FullName == Timestamp.Descriptor.FullName:
                    if (json.ValueKind == JsonValueKind.String
                        && DateTimeOffset.TryParse(json.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
                    {
                        return Timestamp.FromDateTimeOffset(time);
                    }

                    errors.Add(new ConfigError(path, "must be a date and time in RFC 3339, e.g. 2027-01-31T00:00:00Z"));
                    return null;
                case FieldType.Message:
                    var nested = (IMessage)Activator.CreateInstance(field.MessageType.ClrType)!;
                    ReadMessage(nested, json, path, errors);
                    return nested;
                case FieldType.String:
                    return json.ValueKind switch
                    {
                        JsonValueKind.String => json.GetString()!,
                        // A YAML scalar written without quotes (a port, a version) is still the text it was meant to be.
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => json.GetRawText(),
                        _ => Fail("must be a string"),
                    };
                case FieldType.Bool:
                    if (json.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                    {
                        errors.Add(new ConfigError(path, "must be true or false"));
                        return null;
                    }

                    return json.GetBoolean();
                case FieldType.Bytes:
                    return json.ValueKind == JsonValueKind.String
                        ? ByteString.FromBase64(json.GetString()!)
                        : Fail("must be a base64 string");
                case FieldType.Enum:
                    return ReadEnum(field, json, path, errors);
                default:
                    return json.ValueKind switch
                    {
                        JsonValueKind.Number => ReadNumber(field, json),
                        JsonValueKind.String => ReadScalarFromString(field, json.GetString()!),
                        _ => Fail("must be a number"),
                    };
            }
        }
        catch (Exception exception) when (exception is FormatException or OverflowException or InvalidOperationException)
        {
            errors.Add(new ConfigError(path, field.FieldType == FieldType.Bytes ? "must be a base64 string" : $"must be a {NumberKind(field)}"));
            return null;
        }

        object? Fail(string reason)
        {
            errors.Add(new ConfigError(path, reason));
            return null;
        }
    }

    private static object? ReadEnum(FieldDescriptor field, JsonElement json, string path, List<ConfigError> errors)
    {
        var values = field.EnumType.Values;
        if (json.ValueKind == JsonValueKind.String)
        {
            var text = json.GetString()!.Trim();
            foreach (var value in values)
            {
                if (string.Equals(EnumName(value), text.Replace('_', '-'), StringComparison.OrdinalIgnoreCase)
                    || string.Equals(value.Name, text, StringComparison.Ordinal))
                {
                    return System.Enum.ToObject(field.EnumType.ClrType, value.Number);
                }
            }
        }

        errors.Add(new ConfigError(path, $"must be one of {string.Join(", ", values.Select(value => $"'{EnumName(value)}'"))}"));
        return null;
    }

    // Each arm boxes its own type: without the casts the arms would share the type double.
    private static object ReadNumber(FieldDescriptor field, JsonElement json) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (object)json.GetInt32(),
        FieldType.UInt32 or FieldType.Fixed32 => (object)json.GetUInt32(),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (object)json.GetInt64(),
        FieldType.UInt64 or FieldType.Fixed64 => (object)json.GetUInt64(),
        FieldType.Float => (object)json.GetSingle(),
        _ => (object)json.GetDouble(),
    };

    private static object ReadScalarFromString(FieldDescriptor field, string text) => field.FieldType switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (object)int.Parse(text, CultureInfo.InvariantCulture),
        FieldType.UInt32 or FieldType.Fixed32 => (object)uint.Parse(text, CultureInfo.InvariantCulture),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (object)long.Parse(text, CultureInfo.InvariantCulture),
        FieldType.UInt64 or FieldType.Fixed64 => (object)ulong.Parse(text, CultureInfo.InvariantCulture),
        FieldType.Float => (object)float.Parse(text, CultureInfo.InvariantCulture),
        FieldType.Double => (object)double.Parse(text, CultureInfo.InvariantCulture),
        FieldType.Bool => (object)bool.Parse(text),
        _ => text,
    };

    private static string NumberKind(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.UInt32 or FieldType.Fixed32 or FieldType.UInt64 or FieldType.Fixed64 => "whole number of at least 0",
        FieldType.Float or FieldType.Double => "number",
        _ => "whole number",
    };

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string UpperSnake(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var index = 0; index < name.Length; index++)
        {
            if (index > 0 && char.IsUpper(name[index]) && !char.IsUpper(name[index - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[index]));
        }

        return builder.ToString();
    }
}
