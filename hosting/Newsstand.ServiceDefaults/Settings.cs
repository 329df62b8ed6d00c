using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Newsstand.Hosting;

/// <summary>
/// The one way both hosts read settings: a class bound from its configuration section and checked by its
/// data annotations (and <see cref="IValidatableObject"/> rules, nested setting classes included), whether it is
/// read before the host is built (<see cref="Read{T}"/>) or through options (<see cref="AddSettings{T}"/>).
/// Every failure names its configuration key, and a host that meets one ends with "cannot start" and exit
/// code 2 (<see cref="HostStartup"/>). Values are never echoed: a setting may be a secret.
/// </summary>
public static class Settings
{
    /// <summary>Registers <typeparamref name="T"/> as options bound from <paramref name="section"/>, checked when the host starts.</summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section) where T : class
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new SectionValidator<T>(section)));
        return services.AddOptions<T>()
            .Configure<IConfiguration>((settings, configuration) => Bind(configuration, section, settings))
            .ValidateOnStart();
    }

    /// <summary>Reads and checks <paramref name="section"/> now, for what must be known before the host is built.</summary>
    /// <exception cref="StartupCheckException">A value cannot be read or breaks a rule; the message names the key.</exception>
    public static T Read<T>(IConfiguration configuration, string section) where T : class, new()
    {
        var settings = new T();
        Bind(configuration, section, settings);
        var result = new SectionValidator<T>(section).Validate(Options.DefaultName, settings);
        return result.Failed ? throw new StartupCheckException(result.FailureMessage) : settings;
    }

    private static void Bind(IConfiguration configuration, string section, object settings)
    {
        var values = configuration.GetSection(section);
        CheckValues(values, settings.GetType());
        try
        {
            values.Bind(settings);
        }
        catch (InvalidOperationException)
        {
            // CheckValues refuses what the binder cannot convert; its own message would quote the value.
            throw new StartupCheckException($"{section}: a value cannot be read as its type.");
        }
    }

    /// <summary>
    /// Every configured value must convert to its property's type, list items included: the binder would quote a bad
    /// value in its message (it may be a secret), and it drops a list item it cannot convert without a word
    /// (<c>Orleans:GatewayPorts:0=abc</c> would leave the client looking for the default gateway).
    /// </summary>
    private static void CheckValues(IConfigurationSection section, Type settings)
    {
        foreach (var property in settings.GetProperties().Where(property => property.CanWrite && property.GetIndexParameters().Length == 0))
        {
            var value = section.GetSection(property.Name);
            if (IsNestedSettings(property))
            {
                CheckValues(value, property.PropertyType);
                continue;
            }
            var (type, entries) = ItemType(property.PropertyType) is { } item ? (item, value.GetChildren()) : (property.PropertyType, [value]);
            var converter = TypeDescriptor.GetConverter(Nullable.GetUnderlyingType(type) ?? type);
            if (entries.FirstOrDefault(entry => entry.Value is { Length: > 0 } text && !converter.IsValid(text)) is { } unreadable)
            {
                throw new StartupCheckException($"{unreadable.Path}: cannot be read as {(Nullable.GetUnderlyingType(type) ?? type).Name}.");
            }
        }
    }

    private static Type? ItemType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments() is [var item] ? item
        : null;

    private static bool IsNestedSettings(PropertyInfo property) =>
        property.PropertyType is { IsClass: true } type && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type)
        && property.GetIndexParameters().Length == 0 && type.Namespace?.StartsWith("Newsstand", StringComparison.Ordinal) == true;

    /// <summary>Data annotations and <see cref="IValidatableObject"/> of a settings class, failures as <c>Section:Key: message</c>.</summary>
    private sealed class SectionValidator<T>(string section) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var failures = new List<string>();
            Check(options, section, failures);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        private static void Check(object settings, string prefix, List<string> failures)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
            failures.AddRange(results.Select(result =>
                result.MemberNames.FirstOrDefault() is { } member ? $"{prefix}:{member}: {result.ErrorMessage}" : $"{prefix}: {result.ErrorMessage}"));
            // Setting classes inside setting classes (e.g. AbuseLimits:VerifyPerUsername) are checked under their own key.
            foreach (var property in settings.GetType().GetProperties().Where(IsNestedSettings))
            {
                if (property.GetValue(settings) is { } nested)
                {
                    Check(nested, $"{prefix}:{property.Name}", failures);
                }
            }
        }
    }
}
