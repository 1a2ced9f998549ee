//! Serde helpers for floats that must be numbers: JSON has no NaN or infinity, and
//! `serde_json` would write them as `null`, which then fails to decode on the other side.
//! With these, such a value fails where it is written, with a message that names it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

fn check<S: Serializer>(value: f64) -> Result<f64, S::Error> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(serde::ser::Error::custom(format!(
            "{value} is not a number JSON can carry"
        )))
    }
}

pub mod f32 {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &core::primitive::f32,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        check::<S>(core::primitive::f64::from(*value))?;
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<core::primitive::f32, D::Error> {
        <core::primitive::f32>::deserialize(deserializer)
    }
}

pub mod f64 {
    use super::*;

    pub fn serialize<S: Serializer>(
        value: &core::primitive::f64,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        check::<S>(*value)?.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<core::primitive::f64, D::Error> {
        <core::primitive::f64>::deserialize(deserializer)
    }
}

pub mod option_f32 {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<f32>, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(value) = value {
            check::<S>(core::primitive::f64::from(*value))?;
        }
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f32>, D::Error> {
        Option::<f32>::deserialize(deserializer)
    }
}

pub mod option_f64 {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(value) = value {
            check::<S>(*value)?;
        }
        value.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f64>, D::Error> {
        Option::<f64>::deserialize(deserializer)
    }
}

pub mod vec_option_f32 {
    use super::*;

    pub fn serialize<S: Serializer>(
        values: &[Option<f32>],
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        for value in values.iter().flatten() {
            check::<S>(core::primitive::f64::from(*value))?;
        }
        values.serialize(serializer)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Vec<Option<f32>>, D::Error> {
        Vec::<Option<f32>>::deserialize(deserializer)
    }
}
