using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Linq.Expressions;
using Newsstand.Records;

namespace Newsstand.Api.Binding;

/// <summary>
/// Whether a request record of type <typeparamref name="T"/> passes its data annotations, decided without
/// <see cref="Validator"/>: the properties, their attributes and compiled getters are looked up once per type, so a
/// request costs a few attribute checks instead of the validator's reflection (type descriptors, a validation context
/// per property: ~4% of the web client's CPU per insert). It only answers "all pass"; a record that fails anything
/// goes through <see cref="Validator"/> as before, so the problem answers stay word for word the same. A type this
/// cannot decide exactly (a rule it does not know, a type-level rule, <see cref="IValidatableObject"/>) always goes
/// through <see cref="Validator"/>.
/// </summary>
internal static class RecordRules<T> where T : class
{
    private static readonly Rule[]? Rules = Describe();

    /// <summary>True when <see cref="Validator.TryValidateObject(object, ValidationContext, ICollection{ValidationResult}?, bool)"/>
    /// with every property validated would find nothing; false when it would, or when this cannot tell.</summary>
    public static bool AllPass(T value)
    {
        if (Rules is null)
        {
            return false;
        }
        foreach (var rule in Rules)
        {
            if (!rule.Passes(rule.Get(value)))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The rules of every property as the validator sees them (the same type descriptors), or null when a rule
    /// cannot be decided here.</summary>
    private static Rule[]? Describe()
    {
        if (typeof(IValidatableObject).IsAssignableFrom(typeof(T))
            || TypeDescriptor.GetAttributes(typeof(T)).OfType<ValidationAttribute>().Any())
        {
            return null;
        }
        var rules = new List<Rule>();
        foreach (PropertyDescriptor property in TypeDescriptor.GetProperties(typeof(T)))
        {
            foreach (var attribute in property.Attributes.OfType<ValidationAttribute>())
            {
                if (Check(attribute) is not { } passes)
                {
                    return null;
                }
                rules.Add(new Rule(Getter(property.Name), passes));
            }
        }
        return [.. rules];
    }

    /// <summary>The attribute's own verdict for the kinds requests use; null for any other kind.</summary>
    private static Func<object?, bool>? Check(ValidationAttribute attribute) => attribute switch
    {
        // The same test as its IsValid(object, ValidationContext), which only adds the message.
        TextAttribute text => value => value is not string s || TextAttribute.Problem(s, text.MaxLength) is null,
        // Both decide by IsValid(object), which is what their context overload calls (not so for a subclass).
        _ when attribute.GetType() == typeof(RequiredAttribute) || attribute.GetType() == typeof(RangeAttribute) => attribute.IsValid,
        _ => null,
    };

    private static Func<T, object?> Getter(string name)
    {
        var record = Expression.Parameter(typeof(T), "record");
        return Expression.Lambda<Func<T, object?>>(Expression.Convert(Expression.Property(record, name), typeof(object)), record).Compile();
    }

    private sealed record Rule(Func<T, object?> Get, Func<object?, bool> Passes);
}
