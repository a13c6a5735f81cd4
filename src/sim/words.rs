//! Sentences for people in both of the app's languages, for text the core itself writes (a
//! broken rule's detail): each is a pair of templates, English and Simplified Chinese, with
//! `{0}`, `{1}`... for the values, kept in one table per protocol. A value that reads
//! differently in Chinese (a no-op is 空操作) says so through `Localized`.

use std::fmt::Display;

/// One sentence: its English and its Simplified Chinese template.
pub type Words = [&'static str; 2];

/// A value put into a sentence, as it reads in each language.
pub trait Localized {
    fn en(&self) -> String;
    /// The same as in English unless the type says otherwise (ids, numbers and values do not
    /// change).
    fn zh(&self) -> String {
        self.en()
    }
}

/// A value whose reading is given in each language.
pub struct Both(pub String, pub String);

impl Localized for Both {
    fn en(&self) -> String {
        self.0.clone()
    }
    fn zh(&self) -> String {
        self.1.clone()
    }
}

/// Declares types that read the same in both languages (their `Display`).
macro_rules! same_in_both {
    ($($t:ty),* $(,)?) => {
        $(impl $crate::sim::words::Localized for $t {
            fn en(&self) -> String {
                self.to_string()
            }
        })*
    };
}
pub(crate) use same_in_both;

same_in_both!(u8, u16, u32, u64, usize, i64, String, &str, super::NodeId);

/// Puts `args` into `template` in place of `{0}`, `{1}`...
pub fn fill(template: &str, args: &[&dyn Display]) -> String {
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &a.to_string());
    }
    out
}

/// The sentence in both languages: `[English, Chinese]`.
pub fn both(words: Words, args: &[&dyn Localized]) -> [String; 2] {
    let put = |template: &str, read: fn(&dyn Localized) -> String| {
        let values: Vec<String> = args.iter().map(|a| read(*a)).collect();
        let values: Vec<&dyn Display> = values.iter().map(|v| v as &dyn Display).collect();
        fill(template, &values)
    };
    [put(words[0], |a| a.en()), put(words[1], |a| a.zh())]
}

/// Thousands separated by commas, for figures people read (`12,480`).
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Noop;
    impl Localized for Noop {
        fn en(&self) -> String {
            "no-op".into()
        }
        fn zh(&self) -> String {
            "空操作".into()
        }
    }

    #[test]
    fn each_language_gets_its_template_and_its_reading_of_each_value() {
        let words: Words = ["{0} wrote {1} at #{2}", "{0} 在 #{2} 写入了 {1}"];
        let [en, zh] = both(words, &[&"S1", &Noop, &3u32]);
        assert_eq!(en, "S1 wrote no-op at #3");
        assert_eq!(zh, "S1 在 #3 写入了 空操作");
    }
}
