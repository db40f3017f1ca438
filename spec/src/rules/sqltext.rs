//! Just enough of the MSI SQL dialect to tell what a statement does to which
//! table: the shapes the catalog's temporary-data rules talk about.

/// One token of a statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    /// A bare or back-quoted name, or a keyword.
    Name(&'a str),
    /// A quoted string literal, without its quotes.
    Str(&'a str),
    /// An integer literal as written.
    Num(&'a str),
    /// Punctuation: `(`, `)`, `,`, `=`, `*`, `?`, ...
    Punct(char),
}

fn tokenize(sql: &str) -> Option<Vec<Tok<'_>>> {
    let mut out = Vec::new();
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'`' || c == b'\'' {
            let end = sql[i + 1..].find(c as char)? + i + 1;
            let text = &sql[i + 1..end];
            out.push(if c == b'`' {
                Tok::Name(text)
            } else {
                Tok::Str(text)
            });
            i = end + 1;
        } else if c.is_ascii_digit() || (c == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
        {
            let start = i;
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            out.push(Tok::Num(&sql[start..i]));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.') {
                i += 1;
            }
            out.push(Tok::Name(&sql[start..i]));
        } else {
            out.push(Tok::Punct(c as char));
            i += 1;
        }
    }
    Some(out)
}

/// A column in CREATE TABLE or ALTER TABLE ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDef<'a> {
    /// The column's name.
    pub name: &'a str,
    /// Whether it is marked TEMPORARY.
    pub temporary: bool,
}

/// A literal value in INSERT or WHERE, as the fetched row would show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Literal<'a> {
    /// A quoted string.
    Text(&'a str),
    /// An integer as written.
    Int(&'a str),
    /// `NULL`.
    Null,
    /// A `?` parameter: unknown.
    Param,
}

impl Literal<'_> {
    /// The field as a fetched row renders it, when known.
    pub fn as_field(&self) -> Option<&str> {
        match self {
            Literal::Text(s) | Literal::Int(s) => Some(s),
            Literal::Null => Some(""),
            Literal::Param => None,
        }
    }
}

/// What a statement does, in the shapes the rules need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Statement<'a> {
    /// `SELECT ... FROM table [WHERE ...]`.
    Select {
        table: &'a str,
        /// `SELECT *`.
        star: bool,
        /// The named columns (empty for `*`).
        columns: Vec<&'a str>,
        /// A WHERE clause of the form `column = literal`, when that is all it is.
        where_eq: Option<(&'a str, Literal<'a>)>,
        /// Whether there is a WHERE clause at all.
        filtered: bool,
    },
    /// `INSERT INTO table (columns) VALUES (values) [TEMPORARY]`.
    Insert {
        table: &'a str,
        columns: Vec<&'a str>,
        values: Vec<Literal<'a>>,
        temporary: bool,
    },
    /// `UPDATE table SET ... [WHERE ...]`.
    Update { table: &'a str, filtered: bool },
    /// `DELETE FROM table [WHERE ...]`.
    Delete { table: &'a str, filtered: bool },
    /// `CREATE TABLE table (columns) [HOLD]`.
    Create {
        table: &'a str,
        columns: Vec<ColumnDef<'a>>,
        keys: Vec<&'a str>,
        hold: bool,
    },
    /// `ALTER TABLE table HOLD`.
    Hold { table: &'a str },
    /// `ALTER TABLE table FREE`.
    Free { table: &'a str },
    /// `ALTER TABLE table ADD column type [TEMPORARY] [HOLD]`.
    AddColumn {
        table: &'a str,
        column: ColumnDef<'a>,
        hold: bool,
    },
    /// `DROP TABLE table`.
    Drop { table: &'a str },
    /// Certainly rejected by the parser: the catalog's syntax cases (a column
    /// without a type, `TEMP` for TEMPORARY, `TEMPORARY FREE`, ALTER without TABLE).
    BadSyntax,
    /// Not understood here: no judgement.
    Unknown,
}

fn kw(t: Option<&Tok<'_>>, word: &str) -> bool {
    matches!(t, Some(Tok::Name(n)) if n.eq_ignore_ascii_case(word))
}

fn name<'a>(t: Option<&Tok<'a>>) -> Option<&'a str> {
    match t {
        Some(Tok::Name(n)) => Some(n),
        _ => None,
    }
}

const TYPES: &[&str] = &[
    "CHAR",
    "CHARACTER",
    "LONGCHAR",
    "SHORT",
    "INT",
    "INTEGER",
    "LONG",
    "OBJECT",
];

fn is_type(t: Option<&Tok<'_>>) -> bool {
    TYPES.iter().any(|w| kw(t, w))
}

fn literal<'a>(t: Option<&Tok<'a>>) -> Option<Literal<'a>> {
    Some(match t? {
        Tok::Str(s) => Literal::Text(s),
        Tok::Num(n) => Literal::Int(n),
        Tok::Punct('?') => Literal::Param,
        Tok::Name(n) if n.eq_ignore_ascii_case("NULL") => Literal::Null,
        _ => return None,
    })
}

/// Parses one statement into the shapes the rules need.
pub fn parse(sql: &str) -> Statement<'_> {
    let Some(t) = tokenize(sql) else {
        return Statement::Unknown;
    };
    parse_tokens(&t).unwrap_or(Statement::Unknown)
}

fn parse_tokens<'a>(t: &[Tok<'a>]) -> Option<Statement<'a>> {
    let first = t.first()?;
    if kw(Some(first), "SELECT") {
        let from = t.iter().position(|x| kw(Some(x), "FROM"))?;
        let star = t[1..from].contains(&Tok::Punct('*'));
        let columns = t[1..from]
            .iter()
            .filter_map(|x| name(Some(x)))
            .filter(|n| !n.eq_ignore_ascii_case("DISTINCT"))
            .collect();
        let table = name(t.get(from + 1))?;
        let rest = &t[from + 2..];
        let filtered = rest.first().is_some_and(|x| kw(Some(x), "WHERE"));
        if !rest.is_empty() && !filtered && !kw(rest.first(), "ORDER") {
            return None;
        }
        let where_eq = if filtered && rest.len() == 4 && rest[2] == Tok::Punct('=') {
            Some((name(rest.get(1))?, literal(rest.get(3))?))
        } else {
            None
        };
        return Some(Statement::Select {
            table,
            star,
            columns,
            where_eq,
            filtered,
        });
    }
    if kw(Some(first), "INSERT") {
        if !kw(t.get(1), "INTO") {
            return None;
        }
        let table = name(t.get(2))?;
        if t.get(3) != Some(&Tok::Punct('(')) {
            return None;
        }
        let close = t.iter().skip(4).position(|x| *x == Tok::Punct(')'))? + 4;
        let columns: Vec<&str> = t[4..close].iter().filter_map(|x| name(Some(x))).collect();
        if !kw(t.get(close + 1), "VALUES") || t.get(close + 2) != Some(&Tok::Punct('(')) {
            return None;
        }
        let vclose = t
            .iter()
            .skip(close + 3)
            .position(|x| *x == Tok::Punct(')'))?
            + close
            + 3;
        let mut values = Vec::new();
        for x in &t[close + 3..vclose] {
            if *x == Tok::Punct(',') {
                continue;
            }
            values.push(literal(Some(x))?);
        }
        let tail = &t[vclose + 1..];
        let temporary = match tail {
            [] => false,
            [x] if kw(Some(x), "TEMPORARY") => true,
            _ => return None,
        };
        return Some(Statement::Insert {
            table,
            columns,
            values,
            temporary,
        });
    }
    if kw(Some(first), "UPDATE") {
        let table = name(t.get(1))?;
        if !kw(t.get(2), "SET") {
            return None;
        }
        let filtered = t.iter().any(|x| kw(Some(x), "WHERE"));
        return Some(Statement::Update { table, filtered });
    }
    if kw(Some(first), "DELETE") {
        if !kw(t.get(1), "FROM") {
            return None;
        }
        let table = name(t.get(2))?;
        let filtered = kw(t.get(3), "WHERE");
        return Some(Statement::Delete { table, filtered });
    }
    if kw(Some(first), "DROP") {
        if !kw(t.get(1), "TABLE") {
            return None;
        }
        return Some(Statement::Drop {
            table: name(t.get(2))?,
        });
    }
    if kw(Some(first), "CREATE") {
        if !kw(t.get(1), "TABLE") {
            return None;
        }
        let table = name(t.get(2))?;
        if t.get(3) != Some(&Tok::Punct('(')) {
            return None;
        }
        // The body runs to the last `)`; HOLD may follow it.
        let close = t.iter().rposition(|x| *x == Tok::Punct(')'))?;
        let body = &t[4..close];
        let hold = match &t[close + 1..] {
            [] => false,
            [x] if kw(Some(x), "HOLD") => true,
            _ => return None,
        };
        let mut columns = Vec::new();
        let mut keys = Vec::new();
        for part in body.split(|x| *x == Tok::Punct(',')) {
            if kw(part.first(), "PRIMARY") {
                if !kw(part.get(1), "KEY") {
                    return None;
                }
                keys.extend(part[2..].iter().filter_map(|x| name(Some(x))));
                continue;
            }
            if keys.is_empty() {
                let col = name(part.first())?;
                if part.iter().skip(1).any(|x| kw(Some(x), "TEMP")) {
                    return Some(Statement::BadSyntax);
                }
                if !is_type(part.get(1)) {
                    return Some(Statement::BadSyntax);
                }
                let temporary = part.iter().skip(1).any(|x| kw(Some(x), "TEMPORARY"));
                let pk = part.iter().position(|x| kw(Some(x), "PRIMARY"));
                if let Some(p) = pk {
                    // `... PRIMARY KEY a` inside the last column definition.
                    if !kw(part.get(p + 1), "KEY") {
                        return None;
                    }
                    keys.extend(part[p + 2..].iter().filter_map(|x| name(Some(x))));
                }
                columns.push(ColumnDef {
                    name: col,
                    temporary,
                });
            } else {
                // Further key names after `PRIMARY KEY a, b`.
                keys.push(name(part.first())?);
            }
        }
        if columns.is_empty() {
            return None;
        }
        return Some(Statement::Create {
            table,
            columns,
            keys,
            hold,
        });
    }
    if kw(Some(first), "ALTER") {
        if !kw(t.get(1), "TABLE") {
            return Some(Statement::BadSyntax);
        }
        let table = name(t.get(2))?;
        let rest = &t[3..];
        return Some(match rest {
            [x] if kw(Some(x), "HOLD") => Statement::Hold { table },
            [x] if kw(Some(x), "FREE") => Statement::Free { table },
            [add, col, more @ ..] if kw(Some(add), "ADD") => {
                let column = name(Some(col))?;
                if !is_type(more.first()) {
                    return Some(Statement::BadSyntax);
                }
                let words: Vec<&str> = more[1..].iter().filter_map(|x| name(Some(x))).collect();
                if words.iter().any(|w| w.eq_ignore_ascii_case("TEMP")) {
                    return Some(Statement::BadSyntax);
                }
                let temporary = words.iter().any(|w| w.eq_ignore_ascii_case("TEMPORARY"));
                if temporary && words.iter().any(|w| w.eq_ignore_ascii_case("FREE")) {
                    return Some(Statement::BadSyntax);
                }
                let hold = words.iter().any(|w| w.eq_ignore_ascii_case("HOLD"));
                Statement::AddColumn {
                    table,
                    column: ColumnDef {
                        name: column,
                        temporary,
                    },
                    hold,
                }
            }
            _ => return None,
        });
    }
    None
}

impl<'a> Statement<'a> {
    /// The table the statement is about.
    pub fn table(&self) -> Option<&'a str> {
        match self {
            Statement::Select { table, .. }
            | Statement::Insert { table, .. }
            | Statement::Update { table, .. }
            | Statement::Delete { table, .. }
            | Statement::Create { table, .. }
            | Statement::Hold { table }
            | Statement::Free { table }
            | Statement::AddColumn { table, .. }
            | Statement::Drop { table } => Some(table),
            Statement::BadSyntax | Statement::Unknown => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_catalog_statements() {
        let s = parse("CREATE TABLE `T` (`B` SHORT NOT NULL TEMPORARY, `C` CHAR(255) TEMPORARY PRIMARY KEY `C`) HOLD");
        match s {
            Statement::Create {
                table,
                columns,
                keys,
                hold,
            } => {
                assert_eq!(table, "T");
                assert!(hold);
                assert_eq!(keys, vec!["C"]);
                assert!(columns.iter().all(|c| c.temporary));
                assert_eq!(columns.len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            parse("CREATE TABLE `T` (`B` SHORT NOT NULL TEMP, `C` CHAR(255) PRIMARY KEY `C`)"),
            Statement::BadSyntax
        );
        assert_eq!(parse("ALTER TABLE `U` ADD `C`"), Statement::BadSyntax);
        assert_eq!(
            parse("ALTER TABLE `U` ADD `C` INTEGER TEMPORARY FREE"),
            Statement::BadSyntax
        );
        assert_eq!(
            parse("ALTER `_Property` ADD `x` INTEGER"),
            Statement::BadSyntax
        );
        assert_eq!(
            parse("ALTER TABLE `T` HOLD"),
            Statement::Hold { table: "T" }
        );
        match parse("INSERT INTO `T` (`B`, `C`) VALUES (12, 'x') TEMPORARY") {
            Statement::Insert {
                values, temporary, ..
            } => {
                assert!(temporary);
                assert_eq!(values, vec![Literal::Int("12"), Literal::Text("x")]);
            }
            other => panic!("{other:?}"),
        }
        match parse("SELECT * FROM `_Columns` WHERE `Table` = 'T'") {
            Statement::Select {
                table, where_eq, ..
            } => {
                assert_eq!(table, "_Columns");
                assert_eq!(where_eq, Some(("Table", Literal::Text("T"))));
            }
            other => panic!("{other:?}"),
        }
    }
}
