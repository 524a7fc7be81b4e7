pub struct BenchParser; pub struct Report{pub skipped: usize}
impl BenchParser { pub fn new()->Self{BenchParser} pub fn feed_line(&mut self,_:&[u8]){} pub fn finish(self)->Report{Report{skipped:0}} }
impl Report { pub fn is_empty(&self)->bool{true} pub fn write_markdown(&self,_: &mut dyn std::io::Write)->anyhow::Result<()>{Ok(())} }
